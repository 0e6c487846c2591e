//! The write path: everything the issuer keeps, and how it reaches the disk.
//!
//! [`ledger`] is the one way in (certificates, revocations, the event feed, the audit log);
//! [`store`] keeps serials and certificates in sled behind a durability barrier that
//! [`group_commit`] shares between concurrent writers; [`backup`] copies and restores it all.

pub mod backup;
pub mod group_commit;
pub mod ledger;
pub mod store;
