//! Tests of the calendar module.
