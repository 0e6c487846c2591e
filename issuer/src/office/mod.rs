//! The office as its admin sets it up: [`settings`].

pub mod settings;
