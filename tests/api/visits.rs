//! Tests of the visits module.
