//! Tests of the trips module.
