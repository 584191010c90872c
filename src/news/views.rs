//! (being written) View counting without personal data.
