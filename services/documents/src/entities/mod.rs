//! sea-orm entities, one file per table.

pub mod document;
pub mod passage;
