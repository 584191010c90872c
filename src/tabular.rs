//! Tables in and out: CSV and XLSX writers for every list export, and a reader that
//! turns an uploaded or given CSV/XLSX file into header-keyed rows for imports.

use std::io::Cursor;

use calamine::Reader;

/// A table: headers and rows of text cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column names.
    pub headers: Vec<String>,
    /// Cells, one `Vec` per row, as many as headers.
    pub rows: Vec<Vec<String>>,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values, UTF-8 with a byte-order mark (so spreadsheet programs
    /// open Chinese text correctly).
    Csv,
    /// Excel workbook.
    Xlsx,
}

impl Format {
    /// MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

impl Table {
    /// Serialises the table.
    pub fn write(&self, format: Format, sheet: &str) -> anyhow::Result<Vec<u8>> {
        match format {
            Format::Csv => self.to_csv(),
            Format::Xlsx => self.to_xlsx(sheet),
        }
    }

    fn to_csv(&self) -> anyhow::Result<Vec<u8>> {
        let mut out = b"\xEF\xBB\xBF".to_vec();
        {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(&self.headers)?;
            for r in &self.rows {
                // A leading =, +, - or @ would run as a formula in a spreadsheet.
                w.write_record(r.iter().map(|c| defuse(c)))?;
            }
            w.flush()?;
        }
        Ok(out)
    }

    fn to_xlsx(&self, sheet: &str) -> anyhow::Result<Vec<u8>> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name(sheet)?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (c, h) in self.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, cell)?;
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        Ok(book.save_to_buffer()?)
    }
}

fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@']) { format!("'{cell}") } else { cell.to_string() }
}

/// Why a file could not be read as a table.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not UTF-8 (and no encoding was named).
    #[error("the file is not UTF-8 text (first bad byte at offset {0}); save it as UTF-8, or name its encoding, e.g. --encoding gb18030")]
    Encoding(usize),
    /// An unknown encoding label.
    #[error("unknown encoding '{0}'")]
    UnknownEncoding(String),
    /// Malformed CSV.
    #[error("CSV row {row}: {message}")]
    Csv {
        /// 1-based row (header is row 1).
        row: u64,
        /// What is wrong.
        message: String,
    },
    /// Unreadable workbook.
    #[error("the workbook cannot be read: {0}")]
    Xlsx(String),
    /// Nothing in it.
    #[error("the file has no header row")]
    Empty,
}

/// Reads CSV (by default) or XLSX (`xlsx` true) bytes into a table; header names are
/// trimmed and lower-cased.
pub fn read(bytes: &[u8], xlsx: bool, encoding: Option<&str>) -> Result<Table, ReadError> {
    let mut table = if xlsx { read_xlsx(bytes)? } else { read_csv(bytes, encoding)? };
    for h in &mut table.headers {
        *h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
    }
    if table.headers.iter().all(String::is_empty) {
        return Err(ReadError::Empty);
    }
    Ok(table)
}

fn read_csv(bytes: &[u8], encoding: Option<&str>) -> Result<Table, ReadError> {
    let text: String = match encoding {
        None => match std::str::from_utf8(bytes) {
            Ok(t) => t.trim_start_matches('\u{feff}').to_string(),
            Err(e) => return Err(ReadError::Encoding(e.valid_up_to())),
        },
        Some(label) => {
            let enc = encoding_rs::Encoding::for_label(label.as_bytes()).ok_or_else(|| ReadError::UnknownEncoding(label.into()))?;
            enc.decode(bytes).0.into_owned()
        }
    };
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> =
        r.headers().map_err(|e| ReadError::Csv { row: 1, message: e.to_string() })?.iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| ReadError::Csv { row: i as u64 + 2, message: e.to_string() })?;
        rows.push(rec.iter().map(|c| c.trim().to_string()).collect());
    }
    Ok(Table { headers, rows })
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, ReadError> {
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| ReadError::Xlsx(e.to_string()))?;
    let range = book.worksheet_range_at(0).ok_or(ReadError::Empty)?.map_err(|e| ReadError::Xlsx(e.to_string()))?;
    let mut it = range.rows();
    let headers: Vec<String> = it.next().ok_or(ReadError::Empty)?.iter().map(|c| c.to_string()).collect();
    let rows = it.map(|r| r.iter().map(|c| c.to_string().trim().to_string()).collect()).collect();
    Ok(Table { headers, rows })
}

impl Table {
    /// The cell of `row` under `header`, or "".
    pub fn cell<'a>(&'a self, row: &'a [String], header: &str) -> &'a str {
        self.headers.iter().position(|h| h == header).and_then(|i| row.get(i)).map(String::as_str).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trips_with_chinese_text_and_defused_formulas() {
        let t = Table { headers: vec!["Name".into(), "Note".into()], rows: vec![vec!["清华大学".into(), "=1+1".into()]] };
        let bytes = t.write(Format::Csv, "x").expect("csv");
        let back = read(&bytes, false, None).expect("read");
        assert_eq!(back.headers, ["name", "note"]);
        assert_eq!(back.rows[0], ["清华大学", "'=1+1"]);
    }

    #[test]
    fn xlsx_round_trips() {
        let t = Table { headers: vec!["name_en".into(), "country".into()], rows: vec![vec!["Universiti Malaya".into(), "MY".into()]] };
        let bytes = t.write(Format::Xlsx, "Institutions").expect("xlsx");
        let back = read(&bytes, true, None).expect("read");
        assert_eq!(back.rows, t.rows);
    }

    #[test]
    fn a_gbk_file_is_refused_unless_its_encoding_is_named() {
        let (gbk, _, _) = encoding_rs::GBK.encode("name_en,name_zh\nTsinghua University,清华大学\n");
        assert!(matches!(read(&gbk, false, None), Err(ReadError::Encoding(_))));
        let t = read(&gbk, false, Some("gb18030")).expect("decoded");
        assert_eq!(t.rows[0][1], "清华大学");
    }
}
