//! The guide (written below).
