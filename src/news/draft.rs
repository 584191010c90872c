//! A first draft of an article from a visit record, in Chinese and English: the date, the
//! delegation's size, its leader and their title, the hosts, the rooms, the topics and
//! the outcome. The author then edits it.

use super::model::{Link, NewArticle, VersionInput};
use crate::{
    cooperation::area_name,
    visits::model::{Session, Visit},
};

fn date_en(iso: &str) -> String {
    const MONTHS: [&str; 12] =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    match iso.parse::<jiff::civil::Date>() {
        Ok(d) => format!("{} {}, {}", MONTHS[(d.month() - 1) as usize], d.day(), d.year()),
        Err(_) => iso.to_string(),
    }
}

fn date_zh(iso: &str) -> String {
    match iso.parse::<jiff::civil::Date>() {
        Ok(d) => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        Err(_) => iso.to_string(),
    }
}

fn join_en(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

fn topics(visit: &Visit) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in &visit.sessions {
        for t in &s.topics {
            if !out.contains(t) {
                out.push(t.clone());
            }
        }
    }
    out
}

fn place(s: &Session) -> String {
    s.room.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| s.venue.clone())
}

/// The draft of an article about `visit` (the home institution named `home`): Chinese
/// original and English version, linked to the visit, its institutions and its leader.
pub fn from_visit(visit: &Visit, home: &str) -> Draft {
    let inst = visit.institutions.first();
    let inst_en = inst.map(|i| match &i.acronym {
        Some(a) if !a.is_empty() => format!("{} ({a})", i.name_en),
        _ => i.name_en.clone(),
    });
    let inst_en = inst_en.unwrap_or_else(|| "a partner institution".into());
    let inst_zh =
        inst.map(|i| i.name_zh.clone().filter(|z| !z.is_empty()).unwrap_or_else(|| i.name_en.clone())).unwrap_or_else(|| "合作院校".into());
    let short = inst.map(|i| i.acronym.clone().filter(|a| !a.is_empty()).unwrap_or_else(|| i.name_en.clone())).unwrap_or_default();
    let leader = visit.leader();
    let count = visit.head_count.max(visit.members.len() as i64);
    let inbound = visit.direction == "inbound";

    // English.
    let mut en = String::new();
    let led = leader.map(|l| {
        if l.titles.is_empty() {
            format!(", led by {},", l.name_en)
        } else {
            format!(", led by {}, {},", l.name_en, l.titles.replace("; ", " and "))
        }
    });
    if inbound {
        en.push_str(&format!(
            "On {}, a delegation of {count} from {inst_en}{} visited {home}.",
            date_en(&visit.start_date),
            led.clone().unwrap_or_default()
        ));
    } else {
        en.push_str(&format!(
            "On {}, a delegation of {count} from {home}{} visited {inst_en}.",
            date_en(&visit.start_date),
            led.clone().unwrap_or_default()
        ));
    }
    en.push_str("\n\n");
    for s in &visit.sessions {
        // Participants the session's title already names are not repeated.
        let hosts: Vec<String> = s.participants.iter().filter(|p| !s.title.contains(&p.name_en)).map(|p| p.name_en.clone()).collect();
        let with = if hosts.is_empty() { String::new() } else { format!(" with {}", join_en(&hosts)) };
        en.push_str(&format!("- {}{with} — {}\n", s.title, place(s)));
    }
    if !visit.sessions.is_empty() {
        en.push('\n');
    }
    let host_names: Vec<String> =
        visit.hosts.iter().map(|h| if h.titles.is_empty() { h.name.clone() } else { format!("{} ({})", h.name, h.titles) }).collect();
    if !host_names.is_empty() {
        en.push_str(&format!("Taking part for {home}: {}.\n\n", join_en(&host_names)));
    }
    let topic_keys = topics(visit);
    if !topic_keys.is_empty() {
        let names: Vec<String> = topic_keys.iter().map(|t| area_name(t, "en").to_lowercase()).collect();
        en.push_str(&format!("The two sides discussed {}.\n\n", join_en(&names)));
    }
    for o in &visit.outcomes {
        en.push_str(&o.text);
        en.push_str("\n\n");
    }

    // Chinese.
    let mut zh = String::new();
    let led_zh = leader.map(|l| {
        let name = l.name_zh.clone().filter(|z| !z.is_empty()).unwrap_or_else(|| l.name_en.clone());
        if l.titles.is_empty() { format!("{name}带队的") } else { format!("{}{name}带队的", l.titles) }
    });
    if inbound {
        zh.push_str(&format!("{}，{}{inst_zh}代表团一行{count}人来访{home}。", date_zh(&visit.start_date), led_zh.unwrap_or_default()));
    } else {
        zh.push_str(&format!("{}，{}{home}代表团一行{count}人访问{inst_zh}。", date_zh(&visit.start_date), led_zh.unwrap_or_default()));
    }
    zh.push_str("\n\n");
    for s in &visit.sessions {
        // Session titles are usually written in English: the Chinese draft names the
        // kind of session instead and leaves the wording to the author.
        let kind = crate::web::i18n::Tr(crate::web::i18n::Locale::Zh).t(&format!("visits.kind.{}", s.kind)).to_string();
        zh.push_str(&format!("- {kind}（{}）\n", place(s)));
    }
    if !visit.sessions.is_empty() {
        zh.push('\n');
    }
    if !host_names.is_empty() {
        zh.push_str(&format!("我方出席：{}。\n\n", host_names.join("、")));
    }
    if !topic_keys.is_empty() {
        let names: Vec<&str> = topic_keys.iter().map(|t| area_name(t, "zh")).collect();
        zh.push_str(&format!("双方就{}等方面进行了交流。\n\n", names.join("、")));
    }
    for o in &visit.outcomes {
        let kind = if o.kind == "decision" { "决定" } else { "共识" };
        zh.push_str(&format!("成果（{kind}，原文待译）：{}\n\n", o.text));
    }

    let first_line = |s: &str| s.split("\n\n").next().unwrap_or_default().to_string();
    let mut links = vec![Link { kind: "visit".into(), target_id: visit.id, label: String::new() }];
    links.extend(visit.institutions.iter().map(|i| Link { kind: "institution".into(), target_id: i.id, label: String::new() }));
    if let Some(l) = leader {
        links.push(Link { kind: "person".into(), target_id: l.person_id, label: String::new() });
    }
    let title_en = if inbound { format!("{short} delegation visits {home}") } else { format!("{home} delegation visits {short}") };
    let title_zh = if inbound { format!("{inst_zh}代表团来访") } else { format!("我校代表团访问{inst_zh}") };
    let article = NewArticle {
        original_lang: "zh".into(),
        required_langs: Some(vec!["zh".into(), "en".into()]),
        original: VersionInput {
            title: title_zh,
            summary: first_line(&zh),
            body: zh.trim_end().to_string() + "\n",
            note: String::new(),
            base_revision: None,
        },
        slug: None,
        links,
        tags: vec!["visits".into()],
        institution_id: visit.institutions.first().map(|i| i.id),
    };
    let english = VersionInput {
        title: title_en,
        summary: first_line(&en),
        body: en.trim_end().to_string() + "\n",
        note: String::new(),
        base_revision: None,
    };
    Draft { article, english }
}

/// A draft together with its English version (written by [`from_visit`]).
pub struct Draft {
    /// The article with its Chinese original.
    pub article: NewArticle,
    /// The English version.
    pub english: VersionInput,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_naturally() {
        assert_eq!(date_en("2024-05-08"), "May 8, 2024");
        assert_eq!(date_zh("2024-05-08"), "2024年5月8日");
        assert_eq!(join_en(&["a".into(), "b".into(), "c".into()]), "a, b, and c");
    }
}
