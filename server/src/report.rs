//! The quarterly report as files (`docs/indicators.md`): one row per unit with its place in
//! the hierarchy, the indicators as columns with Vietnamese headers, the unit's own row as the
//! total, each indicator's target and the share reached beside it, the period and the date it
//! was produced. XLSX through `rust_xlsxwriter`; CSV in UTF-8
//! with a byte-order mark, so spreadsheet programs read the diacritics.

use app::api::{Figures, UnitLevel};
use app::domain::target::{target_of, Indicator};
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

/// A column of the report.
enum Column {
    Level,
    Name,
    Parent,
    /// An indicator that takes targets (`app::domain::target`).
    Indicator(Indicator),
    /// The target set for an indicator, beside it.
    Target(Indicator),
    /// The share of that target reached, in percent.
    Reached(Indicator),
    ActiveTeams,
    ActiveMembers,
    OfficialHouseholds,
    Coverage,
    VillagesWithoutCount,
    Awaiting,
}

/// One decimal, in the file as on the page.
fn percent(part: i64, whole: i64) -> Cell {
    if whole > 0 {
        Cell::Percent((part as f64 * 1000.0 / whole as f64).round() / 10.0)
    } else {
        Cell::Empty
    }
}

impl Column {
    fn header(&self, activities: &[(String, String)]) -> String {
        let indicator = |i: &Indicator| match i {
            Indicator::Visits => "Lượt hỗ trợ đã duyệt".to_string(),
            Indicator::Households => "Số hộ được hỗ trợ".to_string(),
            Indicator::People => "Số người được hỗ trợ".to_string(),
            Indicator::EcommerceBusinesses => {
                "Hộ kinh doanh lên sàn thương mại điện tử".to_string()
            }
            Indicator::Activity(code) => {
                let name = activities
                    .iter()
                    .find(|(c, _)| c == code)
                    .map_or(code.as_str(), |(_, name)| name.as_str());
                format!("Số hộ: {name}")
            }
        };
        match self {
            Column::Level => "Cấp".into(),
            Column::Name => "Đơn vị".into(),
            Column::Parent => "Thuộc".into(),
            Column::Indicator(i) => indicator(i),
            Column::Target(i) => format!("Chỉ tiêu — {}", indicator(i)),
            Column::Reached(i) => format!("Đạt chỉ tiêu (%) — {}", indicator(i)),
            Column::ActiveTeams => "Tổ hoạt động".into(),
            Column::ActiveMembers => "Thành viên hoạt động".into(),
            Column::OfficialHouseholds => "Số hộ theo thống kê".into(),
            Column::Coverage => "Tỷ lệ hộ được hỗ trợ (%)".into(),
            Column::VillagesWithoutCount => "Số thôn chưa có số hộ".into(),
            Column::Awaiting => "Lượt chờ duyệt (không tính vào số liệu)".into(),
        }
    }

    fn cell(&self, row: &ReportRow, total: bool) -> Cell {
        let f: &Figures = &row.figures;
        let c = &f.coverage;
        match self {
            Column::Level if total => Cell::Text(format!(
                "Tổng cộng ({})",
                level_name(row.level).to_lowercase()
            )),
            Column::Level => Cell::Text(level_name(row.level).to_string()),
            Column::Name => Cell::Text(row.name.clone()),
            Column::Parent => Cell::Text(row.parent.clone()),
            Column::Indicator(i) => Cell::Count(i.value(f)),
            Column::Target(i) => target_of(f, i).map_or(Cell::Empty, Cell::Count),
            Column::Reached(i) => target_of(f, i).map_or(Cell::Empty, |t| percent(i.value(f), t)),
            Column::ActiveTeams => Cell::Count(f.active_teams),
            Column::ActiveMembers => Cell::Count(f.active_members),
            Column::OfficialHouseholds if c.households > 0 => Cell::Count(c.households),
            Column::OfficialHouseholds => Cell::Empty,
            Column::Coverage => percent(c.reached, c.households),
            Column::VillagesWithoutCount => Cell::Count(c.villages_without_count),
            Column::Awaiting => Cell::Count(f.awaiting_review),
        }
    }
}

/// The report's columns: the place, the indicators (each followed by its target and the share
/// reached when any row has a target for it), then the rest.
fn columns(report: &Report) -> Vec<Column> {
    let mut indicators = vec![Indicator::Visits, Indicator::Households, Indicator::People];
    indicators.extend(
        report
            .activities
            .iter()
            .map(|(code, _)| Indicator::Activity(code.clone())),
    );
    indicators.push(Indicator::EcommerceBusinesses);
    let mut columns = vec![Column::Level, Column::Name, Column::Parent];
    for indicator in indicators {
        let targeted = report
            .rows
            .iter()
            .any(|r| target_of(&r.figures, &indicator).is_some());
        columns.push(Column::Indicator(indicator.clone()));
        if targeted {
            columns.push(Column::Target(indicator.clone()));
            columns.push(Column::Reached(indicator));
        }
    }
    columns.extend([
        Column::ActiveTeams,
        Column::ActiveMembers,
        Column::OfficialHouseholds,
        Column::Coverage,
        Column::VillagesWithoutCount,
        Column::Awaiting,
    ]);
    columns
}

/// The report as a table (`produced_at`: when it is made, ms).
pub fn table(report: &Report, produced_at: i64) -> Table {
    let unit = report
        .rows
        .first()
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let columns = columns(report);
    Table {
        title: vec![
            format!("BÁO CÁO KẾT QUẢ TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG — {unit}"),
            format!("Kỳ báo cáo: {}", report.period.name_vi()),
            format!(
                "Ngày lập: {}. Chỉ tính các lượt hỗ trợ đã được xã duyệt.",
                vietnam_date(produced_at).to_vietnamese()
            ),
        ],
        header: columns
            .iter()
            .map(|c| c.header(&report.activities))
            .collect(),
        rows: report
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| columns.iter().map(|c| c.cell(row, i == 0)).collect())
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
