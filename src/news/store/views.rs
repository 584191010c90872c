//! The view counter's tables: the day's salt (`news_view_salts`), the marks of who saw
//! what today (`article_view_marks`) and the articles' `view_count`.

use sqlx::AnyConnection;

use crate::error::AppResult;

/// Rows per `INSERT` of marks (three parameters each).
pub const MARKS_PER_INSERT: usize = 300;

/// Stores `salt` as the salt of `day` unless one is stored already (the primary key
/// settles a race between instances).
pub async fn insert_day_salt(conn: &mut AnyConnection, day: &str, salt: &str) -> AppResult<()> {
    sqlx::query("INSERT INTO news_view_salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING")
        .bind(day)
        .bind(salt)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The stored salt of `day`.
pub async fn day_salt(conn: &mut AnyConnection, day: &str) -> AppResult<String> {
    Ok(sqlx::query_scalar("SELECT salt FROM news_view_salts WHERE day = $1").bind(day).fetch_one(&mut *conn).await?)
}

/// Deletes the marks and salts of days before `day`.
pub async fn forget_before(conn: &mut AnyConnection, day: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM article_view_marks WHERE day < $1").bind(day).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM news_view_salts WHERE day < $1").bind(day).execute(&mut *conn).await?;
    Ok(())
}

/// Inserts marks `(day, article_id, visitor)` (at most [`MARKS_PER_INSERT`]) — those of
/// deleted articles and those already there are skipped — and answers the article id of
/// each mark actually inserted.
pub async fn insert_marks(conn: &mut AnyConnection, marks: &[(String, i64, String)]) -> AppResult<Vec<i64>> {
    let values: Vec<String> = (0..marks.len()).map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3)).collect();
    let sql = format!(
        "INSERT INTO article_view_marks (day, article_id, visitor)
         SELECT v.column1, v.column2, v.column3 FROM (VALUES {}) AS v
         WHERE EXISTS (SELECT 1 FROM articles a WHERE a.id = v.column2)
         ON CONFLICT DO NOTHING RETURNING article_id",
        values.join(", ")
    );
    let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
    for (day, article_id, visitor) in marks {
        q = q.bind(day).bind(article_id).bind(visitor);
    }
    Ok(q.fetch_all(&mut *conn).await?)
}

/// Adds `n` views to an article's count.
pub async fn add_views(conn: &mut AnyConnection, article_id: i64, n: i64) -> AppResult<()> {
    sqlx::query("UPDATE articles SET view_count = view_count + $1 WHERE id = $2").bind(n).bind(article_id).execute(&mut *conn).await?;
    Ok(())
}
