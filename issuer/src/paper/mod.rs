//! What goes on paper: the A4 certificate page ([`print`], from `templates/print.html`), the
//! same certificate as a PDF ([`pdf`]), each
//! type's formal wording ([`wording`], from the files in `wording/`), the Bangla calendar and
//! the QR code's images.

pub mod bangla_calendar;
pub mod pdf;
pub mod print;
pub mod qr_image;
pub mod wording;
