//! Domain values, parsed once at the edge. Shared by the offline form (in the browser) and the
//! server, so both reject exactly the same input with exactly the same reasons.

pub mod household;
pub mod period;
pub mod phone;
pub mod policy;
pub mod summary;
pub mod target;
pub mod team;
pub mod text;
pub mod time;
pub mod visit;

pub use phone::{PhoneError, PhoneNumber};
pub use visit::{ActivityDone, HouseholdInput, Outcome, VisitError, VisitRecord};
