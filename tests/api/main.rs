//! Black-box tests: the app on a random port over HTTP, the CLI as a process.
//! Run against SQLite by default and PostgreSQL with `LIAISON_TEST_DATABASE_URL`.

mod agreements;
mod api_conventions;
mod auth;
mod backup;
mod calendar;
mod cli;
mod daily_work;
mod directory;
mod expiry;
mod files;
mod helpers;
mod institutions;
mod mail;
mod map;
mod merging;
mod messages;
mod news;
mod news_pages;
mod news_photos;
mod news_public;
mod ops;
mod partners;
mod permissions;
mod programmes;
mod reports;
mod rooms;
mod rooms_pages;
mod s3;
mod security;
mod sso;
mod sso_providers;
mod transfer;
mod trips;
mod users_admin;
mod visits;
