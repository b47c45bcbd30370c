//! The quarterly report as files (`docs/indicators.md`): one row per unit with its place in
//! the hierarchy, the indicators as columns with Vietnamese headers, the unit's own row as the
//! total, the period and the date it was produced. XLSX through `rust_xlsxwriter`; CSV in UTF-8
//! with a byte-order mark, so spreadsheet programs read the diacritics.

use app::api::{Figures, UnitLevel};
use app::domain::time::vietnam_date;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::db::figures::{Report, ReportRow};

/// A report's table: the title lines, the header and the rows, as text and numbers.
pub struct Table {
    /// Lines above the table: title, period, date produced.
    pub title: Vec<String>,
    /// Column headers.
    pub header: Vec<String>,
    /// One row per unit.
    pub rows: Vec<Vec<Cell>>,
}

/// A cell: text, a count, or a share (a percentage), or nothing.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Count(i64),
    Percent(f64),
    Empty,
}

fn level_name(level: UnitLevel) -> &'static str {
    match level {
        UnitLevel::Province => "Tỉnh",
        UnitLevel::District => "Huyện",
        UnitLevel::Commune => "Xã",
        UnitLevel::Village => "Thôn",
    }
}

fn row_cells(row: &ReportRow, activities: &[(String, String)], total: bool) -> Vec<Cell> {
    let f: &Figures = &row.figures;
    let level = if total {
        format!("Tổng cộng ({})", level_name(row.level).to_lowercase())
    } else {
        level_name(row.level).to_string()
    };
    let mut cells = vec![
        Cell::Text(level),
        Cell::Text(row.name.clone()),
        Cell::Text(row.parent.clone()),
        Cell::Count(f.visits),
        Cell::Count(f.households),
        Cell::Count(f.people),
    ];
    for (code, _) in activities {
        let households = f
            .activities
            .iter()
            .find(|a| &a.code == code)
            .map_or(0, |a| a.households);
        cells.push(Cell::Count(households));
    }
    let c = &f.coverage;
    cells.extend([
        Cell::Count(f.ecommerce_businesses),
        Cell::Count(f.active_teams),
        Cell::Count(f.active_members),
        if c.households > 0 {
            Cell::Count(c.households)
        } else {
            Cell::Empty
        },
        if c.households > 0 {
            // One decimal, in the file as on the page.
            Cell::Percent((c.reached as f64 * 1000.0 / c.households as f64).round() / 10.0)
        } else {
            Cell::Empty
        },
        Cell::Count(c.villages_without_count),
        Cell::Count(f.awaiting_review),
    ]);
    cells
}

/// The report as a table (`produced_at`: when it is made, ms).
pub fn table(report: &Report, produced_at: i64) -> Table {
    let unit = report
        .rows
        .first()
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let mut header: Vec<String> = [
        "Cấp",
        "Đơn vị",
        "Thuộc",
        "Lượt hỗ trợ đã duyệt",
        "Số hộ được hỗ trợ",
        "Số người được hỗ trợ",
    ]
    .map(String::from)
    .to_vec();
    header.extend(
        report
            .activities
            .iter()
            .map(|(_, name)| format!("Số hộ: {name}")),
    );
    header.extend(
        [
            "Hộ kinh doanh lên sàn thương mại điện tử",
            "Tổ hoạt động",
            "Thành viên hoạt động",
            "Số hộ theo thống kê",
            "Tỷ lệ hộ được hỗ trợ (%)",
            "Số thôn chưa có số hộ",
            "Lượt chờ duyệt (không tính vào số liệu)",
        ]
        .map(String::from),
    );
    Table {
        title: vec![
            format!("BÁO CÁO KẾT QUẢ TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG — {unit}"),
            format!("Kỳ báo cáo: {}", report.period.name_vi()),
            format!(
                "Ngày lập: {}. Chỉ tính các lượt hỗ trợ đã được xã duyệt.",
                vietnam_date(produced_at).to_vietnamese()
            ),
        ],
        header,
        rows: report
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| row_cells(row, &report.activities, i == 0))
            .collect(),
    }
}

/// The table as an XLSX workbook.
pub fn xlsx(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Báo cáo")?;
    let bold = Format::new().set_bold();
    let header = Format::new().set_bold().set_text_wrap();
    let percent = Format::new().set_num_format("0.0");
    let mut row = 0u32;
    for line in &table.title {
        sheet.write_string_with_format(row, 0, line, &bold)?;
        row += 1;
    }
    row += 1;
    for (col, name) in table.header.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, name, &header)?;
    }
    sheet.set_freeze_panes(row + 1, 2)?;
    for cells in &table.rows {
        row += 1;
        for (col, cell) in cells.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text(text) => {
                    sheet.write_string(row, col, text)?;
                }
                Cell::Count(n) => {
                    sheet.write_number(row, col, *n as f64)?;
                }
                Cell::Percent(p) => {
                    sheet.write_number_with_format(row, col, *p, &percent)?;
                }
                Cell::Empty => {}
            }
        }
    }
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 28)?;
    sheet.set_column_width(2, 24)?;
    workbook.save_to_buffer()
}

/// The table as CSV, UTF-8 with a byte-order mark.
pub fn csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        for line in &table.title {
            writer.write_record([line])?;
        }
        writer.write_record(&table.header)?;
        for cells in &table.rows {
            writer.write_record(cells.iter().map(|cell| match cell {
                Cell::Text(text) => text.clone(),
                Cell::Count(n) => n.to_string(),
                Cell::Percent(p) => p.to_string(),
                Cell::Empty => String::new(),
            }))?;
        }
        writer.flush()?;
    }
    Ok(out)
}
