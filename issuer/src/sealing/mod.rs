//! The office's authority: its key ([`office_key`]) and sealing records with it ([`issue`]).
//! Nothing here writes to the store; sealed certificates go to [`crate::storage`].

pub mod bulk_input;
pub mod issue;
pub mod office_key;
