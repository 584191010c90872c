//! Tests of the agreements module.
