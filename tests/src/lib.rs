//! End-to-end tests across the Sonod parts live in `tests/`; this crate has no code of its own.
