//! Wire types shared by the server and the browser. Validation lives here: inputs are parsed
//! into these types at the boundary, so the rest of the code handles only valid values.

mod analytics;
mod billing;
mod branding;
mod branding_rules;
mod defaults;
mod deployments;
mod edit;
pub mod fields;
mod forms;
mod inputs;
mod kind;
mod page;
mod page_layout;
mod page_meta;
mod props;
mod rich_text;
mod role;
mod snapshot;
mod team;
pub mod value_reader;
mod versions;
mod views;

pub use analytics::*;
pub use billing::*;
pub use branding::*;
pub use branding_rules::*;
pub use deployments::*;
pub use edit::*;
pub use forms::*;
pub use inputs::*;
pub use kind::*;
pub use page::*;
pub use page_meta::*;
pub use props::*;
pub use rich_text::*;
pub use role::*;
pub use snapshot::*;
pub use team::*;
pub use versions::*;
pub use views::*;
