//! Import and export, through the CLI and the pages.

use std::process::Command;

use crate::helpers::{TestDb, seed, spawn_app};

fn liaison(db: &TestDb) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_liaison"));
    cmd.env_remove("LIAISON_DATABASE_URL");
    for (k, v) in db.env() {
        cmd.env(k, v);
    }
    cmd
}

fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().expect("runs");
    (out.status.code().unwrap_or(-1), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

async fn institutions(db: &TestDb) -> i64 {
    let d = liaison::db::Db::connect(&db.settings()).await.expect("db");
    sqlx::query_scalar("SELECT COUNT(*) FROM institutions").fetch_one(&d.pool).await.expect("count")
}

#[tokio::test]
async fn a_file_with_bad_rows_is_reported_row_by_row_and_nothing_is_imported() {
    let db = TestDb::new().await;
    let file = db.dir.join("partners.csv");
    std::fs::write(&file, "name_en,country,website,ror_id\nUniversiti Malaya,MY,,\nChulalongkorn University,Thailandia,,\n,TH,,\nMahidol University,TH,mahidol.ac.th,\nUniversiti Malaya,MY,,\n").expect("write");

    let (code, out) = run(liaison(&db).args(["import", "institutions", file.to_str().expect("path")]));

    assert_eq!(code, 1, "{out}");
    assert!(out.contains("row 3\tcountry\t"), "{out}");
    assert!(out.contains("row 4\tname_en\t"), "{out}");
    assert!(out.contains("row 5\twebsite\t"), "{out}");
    assert!(out.contains("row 6\tname_en\tthe same institution is already on row 2"), "{out}");
    assert!(out.contains("nothing was written"), "{out}");
    assert_eq!(institutions(&db).await, 0);
}

#[tokio::test]
async fn a_clean_file_is_imported_once_and_matches_are_not_copied_twice() {
    let db = TestDb::new().await;
    let file = db.dir.join("partners.csv");
    std::fs::write(&file, "name_en,name_zh,country,acronym,strengths\nUniversiti Malaya,马来亚大学,MY,UM,medicine; engineering\nChulalongkorn University,朱拉隆功大学,TH,CU,\n").expect("write");

    let (dry, dry_out) = run(liaison(&db).args(["import", "institutions", "--dry-run", file.to_str().expect("path")]));
    let after_dry = institutions(&db).await;
    let (first, first_out) = run(liaison(&db).args(["import", "institutions", file.to_str().expect("path")]));
    let (second, second_out) = run(liaison(&db).args(["import", "institutions", file.to_str().expect("path")]));

    assert_eq!(dry, 0, "{dry_out}");
    assert!(dry_out.contains("would import 2"), "{dry_out}");
    assert_eq!(after_dry, 0);
    assert_eq!(first, 0, "{first_out}");
    assert_eq!(institutions(&db).await, 2);
    assert_eq!(second, 0, "{second_out}");
    assert!(second_out.contains("2 already present"), "{second_out}");
    assert_eq!(institutions(&db).await, 2);
}

#[tokio::test]
async fn missing_columns_and_wrong_encodings_are_named() {
    let db = TestDb::new().await;
    let missing = db.dir.join("missing.csv");
    std::fs::write(&missing, "name,land\nUniversiti Malaya,MY\n").expect("write");
    let gbk = db.dir.join("gbk.csv");
    let (bytes, _, _) = encoding_rs::GBK.encode("name_en,name_zh,country\nTsinghua University,清华大学,CN\n");
    std::fs::write(&gbk, &bytes).expect("write");

    let (code, out) = run(liaison(&db).args(["import", "institutions", missing.to_str().expect("path")]));
    let (enc, enc_out) = run(liaison(&db).args(["import", "institutions", gbk.to_str().expect("path")]));
    let (ok, ok_out) = run(liaison(&db).args(["import", "institutions", "--encoding", "gb18030", gbk.to_str().expect("path")]));

    assert_eq!(code, 1);
    assert!(out.contains("the required column 'name_en' is missing") && out.contains("the required column 'country' is missing"), "{out}");
    assert_ne!(enc, 0);
    assert!(enc_out.contains("not UTF-8") && enc_out.contains("--encoding"), "{enc_out}");
    assert_eq!(ok, 0, "{ok_out}");
}

#[tokio::test]
async fn people_are_imported_with_their_institution_matched_by_acronym() {
    let db = TestDb::new().await;
    {
        let d = liaison::db::Db::connect(&db.settings()).await.expect("db");
        d.migrate().await.expect("migrate");
        liaison::seed::load(&d, "Demo University of Technology").await.expect("seed");
    }
    let file = db.dir.join("people.csv");
    std::fs::write(&file, "name_en,institution,title_en,start_date,end_date\nLim Mei Ling,IUKL,Lecturer,2023-01-01,\nTan Ah Kow,Nowhere Institute of Nothing,Dean,,\n").expect("write");
    let ok_file = db.dir.join("people-ok.csv");
    std::fs::write(&ok_file, "name_en,institution,title_en,start_date,end_date\nLim Mei Ling,IUKL,Lecturer,2023-01-01,\n").expect("write");

    let (bad, bad_out) = run(liaison(&db).args(["import", "people", file.to_str().expect("path")]));
    let (ok, ok_out) = run(liaison(&db).args(["import", "people", ok_file.to_str().expect("path")]));
    let (exp, csv) = run(liaison(&db).args(["export", "people"]));

    assert_eq!(bad, 1);
    assert!(bad_out.contains("row 3\tinstitution\t"), "{bad_out}");
    assert_eq!(ok, 0, "{ok_out}");
    assert_eq!(exp, 0);
    assert!(csv.contains("Lim Mei Ling,,,Infrastructure University Kuala Lumpur,Lecturer,,2023-01-01,"), "{csv}");
}

#[tokio::test]
async fn the_list_view_exports_to_csv_and_xlsx_with_its_filters() {
    let app = spawn_app().await;
    seed(&app).await;
    app.logged_in("mei", &["viewer"]).await;

    let csv = app.client.get(app.url("/institutions/export.csv?country=MY")).send().await.expect("csv");
    let xlsx = app.client.get(app.url("/institutions/export.xlsx")).send().await.expect("xlsx");

    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(csv.headers()["content-disposition"].to_str().unwrap_or("").contains("liaison-institutions.csv"));
    let body = csv.text().await.expect("body");
    assert!(body.contains("Infrastructure University Kuala Lumpur,,,IUKL,MY,Kuala Lumpur"), "{body}");
    assert!(!body.contains("Demo University of Technology"), "filtered by country");
    let bytes = xlsx.bytes().await.expect("bytes");
    let table = liaison::tabular::read(&bytes, true, None).expect("a readable workbook");
    assert_eq!(table.rows.len(), 2);
}
