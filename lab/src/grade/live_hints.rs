//! The hints of a failed check point at the student's folder: a line of a
//! config the lab generated (the operator's, another site's) tells the
//! student nothing they can change, so it is left out; a call the operator
//! hands the graded site gets, instead, the lines of the trunk's context that
//! take (or fail to take) that public number to a phone.

use std::path::Path;

use super::score::GradeReport;
use crate::asterisk_conf::dialplan::{Dialplan, EXTENSIONS_CONF};
use crate::asterisk_conf::Conf;
use crate::model::Lab;

/// Rewrites the hints of `report`'s failed checks; `generated` is the folder
/// of the lab's own generated configs.
pub fn point_at_the_folder(report: &mut GradeReport, lab: &Lab, generated: &Path) {
    let Some(site) = lab.site(&report.site) else { return };
    let plan =
        Conf::read(&report.config, EXTENSIONS_CONF).ok().flatten().map(|c| Dialplan::from_conf(&c)).unwrap_or_default();
    let trunk_context = report
        .inspection
        .trunk
        .as_ref()
        .and_then(|t| report.inspection.endpoints.iter().find(|e| e.name == t.name))
        .map(|e| e.context_name().to_string());
    let generated = generated.display().to_string();
    let folder = report.config.display().to_string();
    let n = &lab.numbering;
    for (_, result) in &mut report.checks {
        let Some(failure) = &mut result.failure else { continue };
        let before = failure.look.len();
        failure.look.retain(|l| !l.starts_with(&generated));
        if failure.look.len() == before {
            continue;
        }
        // The public number the operator handed the site, when it did.
        let dialled = result.says.rsplit_once('(').and_then(|(_, n)| n.strip_suffix(')')).unwrap_or_default();
        let public = match dialled.strip_prefix(&n.intersite_prefix) {
            Some(rest) if rest.starts_with(&site.index.to_string()) => format!("{}{rest}", n.public_prefix),
            _ => dialled.to_string(),
        };
        let ours = site.phones.iter().any(|p| site.public_number(n, &p.number) == public);
        let Some(context) = trunk_context.as_deref().filter(|_| ours) else { continue };
        let route = plan.route(context, &public);
        let lines: Vec<String> = route.steps.iter().map(|s| format!("{folder}/{}: {}", s.at, s.text)).collect();
        let capture = failure.look.iter().position(|l| l.contains("SIP capture")).unwrap_or(failure.look.len());
        let hint = if lines.is_empty() {
            vec![format!("{folder}/{EXTENSIONS_CONF}: no line of context {context} (the trunk's) answers {public}")]
        } else {
            lines
        };
        failure.look.splice(capture..capture, hint);
    }
}
