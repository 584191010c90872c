//! Tests of the reports module.
