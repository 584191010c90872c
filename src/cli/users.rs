//! `liaison user …`: accounts, passwords, roles and API tokens.

use std::{io::BufRead, process::ExitCode};

use clap::Subcommand;

use super::say;
use crate::{
    audit::Actor,
    auth::{
        session,
        users::{self, NewGrant, NewUser},
    },
    config::Settings,
    db::Db,
};

#[derive(Subcommand, Debug)]
pub(super) enum UserCommand {
    /// Create an account. The password is read from standard input (one line) with
    /// --password-stdin, otherwise a random one is generated and printed.
    Add {
        /// Login name.
        username: String,
        /// Shown name.
        #[arg(long)]
        display_name: Option<String>,
        /// E-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Role to grant (repeatable): admin, staff, coordinator, author, translator,
        /// photographer, proofreader, reviewer, viewer.
        #[arg(long = "role")]
        roles: Vec<String>,
        /// Unit id for a coordinator grant.
        #[arg(long)]
        unit: Option<i64>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (ends the user's sessions).
    Passwd {
        /// Login name.
        username: String,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Grant a role.
    Grant {
        /// Login name.
        username: String,
        /// Role name.
        role: String,
        /// Unit id (coordinator).
        #[arg(long)]
        unit: Option<i64>,
    },
    /// List accounts and their roles.
    List,
    /// Issue an API token for scripts; printed once.
    Token {
        /// Login name.
        username: String,
        /// A label for the token.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok((line.trim_end_matches(['\r', '\n']).to_string(), false))
    } else {
        Ok((crate::auth::random_token(8), true))
    }
}

/// Runs one `liaison user` command.
pub(super) async fn user(cmd: UserCommand, settings: Settings) -> anyhow::Result<ExitCode> {
    let db = Db::connect(&settings).await?;
    db.migrate().await?;
    let actor = Actor::system("cli");
    match cmd {
        UserCommand::Add { username, display_name, email, roles, unit, password_stdin } => {
            let (password, generated) = read_password(password_stdin)?;
            let grants = roles.into_iter().map(|role| NewGrant { role, unit_id: unit }).collect();
            let id = users::create_user(
                &db,
                &actor,
                NewUser { username: username.clone(), display_name, email, password: password.clone(), grants },
            )
            .await
            .map_err(say)?;
            println!("created user {username} (id {id})");
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Passwd { username, password_stdin } => {
            let (password, generated) = read_password(password_stdin)?;
            let id = users::id_by_username(&db, &username).await.map_err(say)?;
            users::set_password(&db, &actor, id, password.clone()).await.map_err(say)?;
            println!("password changed for {username}");
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Grant { username, role, unit } => {
            let id = users::id_by_username(&db, &username).await.map_err(say)?;
            users::grant(&db, &actor, id, &NewGrant { role: role.clone(), unit_id: unit }).await.map_err(say)?;
            println!("granted {role} to {username}");
        }
        UserCommand::List => {
            for u in users::list_users(&db).await? {
                let roles: Vec<String> = u
                    .grants
                    .iter()
                    .map(|g| match g.unit_id {
                        Some(unit) => format!("{}@unit{unit}", g.role.as_str()),
                        None => g.role.as_str().to_string(),
                    })
                    .collect();
                println!("{}\t{}\t{}\t{}", u.username, u.display_name, if u.active { "active" } else { "inactive" }, roles.join(","));
            }
        }
        UserCommand::Token { username, name } => {
            let id = users::id_by_username(&db, &username).await.map_err(say)?;
            let t = session::issue_token(&db, id, &name).await?;
            println!("{}", t.token);
        }
    }
    Ok(ExitCode::SUCCESS)
}
