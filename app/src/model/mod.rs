//! Wire types shared by the server and the browser. Validation lives here: inputs are parsed
//! into these types at the boundary, so the rest of the code handles only valid values.

mod branding;
mod branding_rules;
mod defaults;
mod inputs;
mod kind;
mod props;
mod rich_text;
mod role;
mod snapshot;
mod views;

pub use branding::*;
pub use branding_rules::*;
pub use inputs::*;
pub use kind::*;
pub use props::*;
pub use rich_text::*;
pub use role::*;
pub use snapshot::*;
pub use views::*;
