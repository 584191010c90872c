//! Outgoing mail: an outbox table that any instance may drain, one message at a time.
