//! Tests of the programmes module.
