//! The `liaison` binary: everything lives in the library so tests can drive it.
fn main() -> std::process::ExitCode {
    liaison::cli::run()
}
