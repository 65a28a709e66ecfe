//! `dann shift --html FILE`: the monitor's result as one self-contained page.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use dann::analysis::shift::Shift;

use super::{escape, page};
use crate::output::write_file;

/// What the page says about the call besides the [`Shift`] itself.
pub struct ShiftContext<'a> {
    /// The two files compared.
    pub source: &'a Path,
    /// The second file.
    pub target: &'a Path,
    /// The model whose features were compared, if any.
    pub model: Option<&'a Path>,
    /// Wall time of the measurement, seconds.
    pub seconds: f64,
    /// `--fail-above`, if given.
    pub fail_above: Option<f64>,
}

/// Writes `path`: the verdict, PAD and AUC with their intervals and the p-value, the features
/// that separate the domains (a bar per feature, scaled to the strongest), their means, and
/// the target rows least like the source.
pub fn write_shift_page(shift: &Shift, context: &ShiftContext<'_>, path: &Path) -> Result<()> {
    let (pad, auc) = (shift.pad_interval, shift.auc);
    let gate = context.fail_above.map_or(String::new(), |limit| {
        let passed = shift.pad.pad <= limit;
        format!(
            "<p id=\"gate\" class=\"{}\">--fail-above {limit}: {}</p>",
            if passed { "pass" } else { "fail" },
            if passed {
                "within the limit (exit 0)"
            } else {
                "above the limit (exit 1)"
            }
        )
    });
    let mut features = String::new();
    let strongest = shift
        .top_features
        .first()
        .map_or(1.0, |f| f.importance.max(f64::MIN_POSITIVE));
    for f in &shift.top_features {
        let width = (100.0 * f.importance / strongest).clamp(0.0, 100.0);
        let _ = writeln!(
            features,
            "<tr><th>{}</th><td class=\"bar\"><span style=\"width:{width:.1}%\"></span></td>\
             <td>{:.4}</td><td>{:.4}</td><td>{:.4}</td><td>{:+.2}</td></tr>",
            escape(&f.name),
            f.importance,
            f.mean_source,
            f.mean_target,
            f.standardized_difference
        );
    }
    let features = if features.is_empty() {
        String::from("<p>Not computed: the domains were compared on a model's features.</p>")
    } else {
        format!(
            "<table id=\"features\"><tr><th>feature</th><th></th><th>|weight| &times; sd</th>\
             <th>mean source</th><th>mean target</th><th>difference (sd)</th></tr>\n{features}</table>"
        )
    };
    let rows: Vec<String> = shift
        .least_like_source
        .iter()
        .map(ToString::to_string)
        .collect();
    let model = context.model.map_or(String::new(), |m| {
        format!(
            "<tr><th>model</th><td>{}</td></tr>",
            escape(&m.display().to_string())
        )
    });
    let body = format!(
        r#"<style>
td.bar {{ width: 12em; text-align: left; }}
td.bar span {{ display: inline-block; height: 0.8em; background: #d62728; }}
.pass {{ color: #2ca02c; }} .fail {{ color: #d62728; font-weight: bold; }}
</style>
<h1>dann shift</h1>
<section id="headline">
<p id="verdict" class="answer"><strong>{verdict}</strong></p>
{gate}<p>proxy A-distance <span id="pad">{pad_value:.4}</span> (0: no shift, 2: the domains
are told apart every time), AUC <span id="auc">{auc_value:.4}</span></p>
</section>
<table id="inputs">
<tr><th>source</th><td>{source}</td></tr>
<tr><th>target</th><td>{target}</td></tr>
{model}<tr><th>compared on</th><td>{space}</td></tr>
<tr><th>rows per domain</th><td>{rows_per_domain}</td></tr>
<tr><th>time</th><td>{seconds:.2} s</td></tr>
</table>
<h2>Effect size and significance</h2>
<table id="numbers">
<tr><th></th><th>value</th><th>95% interval</th></tr>
<tr><th>proxy A-distance</th><td>{pad_value:.4}</td><td>[{pad_low:.4}, {pad_high:.4}]</td></tr>
<tr><th>domain classifier AUC</th><td>{auc_value:.4}</td><td>[{auc_low:.4}, {auc_high:.4}]</td></tr>
<tr><th>permutation p-value</th><td>{p:.4}</td><td></td></tr>
<tr><th>held-out error</th><td>{error:.4}</td><td>C = {c:.0e}, trained on {n_train}, tested on {n_test}</td></tr>
</table>
<p>PAD = 2 (1 - 2 error) of a linear SVM telling held-out rows of the two sets apart: 0 when
it cannot, 2 when it always can. The AUC is the same classifier's ranking quality (0.5: no
shift); the p-value asks whether the AUC could come from two samples of one distribution.</p>
<h2>Features that separate the domains most</h2>
{features}
<h2>Target rows least like the source</h2>
<p id="rows">{least}</p>
"#,
        verdict = escape(&shift.verdict()),
        source = escape(&context.source.display().to_string()),
        target = escape(&context.target.display().to_string()),
        space = escape(shift.space.describe()),
        rows_per_domain = shift.rows_per_domain,
        seconds = context.seconds,
        pad_value = shift.pad.pad,
        pad_low = pad.low,
        pad_high = pad.high,
        auc_value = auc.value,
        auc_low = auc.low,
        auc_high = auc.high,
        p = shift.p_value,
        error = shift.pad.error,
        c = shift.pad.c,
        n_train = shift.pad.n_train,
        n_test = shift.pad.n_test,
        least = if rows.is_empty() {
            "none".into()
        } else {
            format!("1-based rows of the target file: {}", rows.join(", "))
        },
    );
    write_file(path, &page("dann shift", &body))
}
