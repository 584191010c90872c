//! Liaison: the international cooperation and exchange office's system.
//!
//! One binary serves the web application and the JSON API and offers the same
//! operations on the command line; see `docs/ARCHITECTURE.md`.

pub mod account;
pub mod agreements;
pub mod app;
pub mod applications;
pub mod architecture;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod cooperation;
pub mod dashboard;
pub mod db;
pub mod error;
pub mod expiry;
pub mod feeds;
pub mod files;
pub mod institutions;
pub mod jobs;
pub mod mail;
pub mod net;
pub mod news;
pub mod openapi;
pub mod ops;
pub mod programmes;
pub mod reference;
pub mod reports;
pub mod rooms;
pub mod search;
pub mod secret;
pub mod seed;
pub mod sso;
pub mod startup;
pub mod status;
pub mod storage;
pub mod tabular;
pub mod time;
pub mod trips;
pub mod visits;
pub mod web;
pub mod xml;
