//! The cooperation-area taxonomy: a fixed, translatable list shared by visits (agenda
//! topics), agreements and programmes. Records store the key; names are shown in the
//! reader's language.

/// One cooperation area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    /// Stored key, e.g. `degree_progression`.
    pub key: &'static str,
    /// English name.
    pub en: &'static str,
    /// Chinese name.
    pub zh: &'static str,
    /// Malay name.
    pub ms: &'static str,
}

impl Area {
    /// The name in a UI language code (`en`, `zh`, `ms`; anything else is English).
    pub fn name(&self, lang: &str) -> &'static str {
        match lang {
            "zh" => self.zh,
            "ms" => self.ms,
            _ => self.en,
        }
    }
}

/// Every area, in display order.
pub const AREAS: &[Area] = &[
    Area { key: "joint_education", en: "Joint education programmes", zh: "合作办学项目", ms: "Program pendidikan bersama" },
    Area { key: "academic_exchange", en: "Academic exchange", zh: "学术交流", ms: "Pertukaran akademik" },
    Area { key: "teacher_training", en: "Teacher training", zh: "师资培训", ms: "Latihan tenaga pengajar" },
    Area {
        key: "degree_progression",
        en: "Undergraduate-to-master's progression",
        zh: "本硕连读（学历提升）",
        ms: "Laluan sarjana muda ke sarjana",
    },
    Area { key: "student_exchange", en: "Student exchange", zh: "学生交换", ms: "Pertukaran pelajar" },
    Area { key: "faculty_exchange", en: "Faculty exchange and visits", zh: "师生互访", ms: "Pertukaran dan lawatan staf akademik" },
    Area { key: "joint_training", en: "Joint training programmes", zh: "联合培养项目", ms: "Program latihan bersama" },
    Area { key: "collaborative_research", en: "Collaborative research", zh: "科研合作", ms: "Penyelidikan kolaboratif" },
];

/// The area with this key.
pub fn area(key: &str) -> Option<&'static Area> {
    AREAS.iter().find(|a| a.key == key)
}

/// The area's name in a language (`zh`, `ms`, anything else for English); the key if
/// unknown.
pub fn area_name<'a>(key: &'a str, lang: &str) -> &'a str {
    match area(key) {
        Some(a) => a.name(lang),
        None => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_found() {
        for a in AREAS {
            assert_eq!(area(a.key), Some(a));
            assert_eq!(AREAS.iter().filter(|b| b.key == a.key).count(), 1);
        }
        assert_eq!(area_name("teacher_training", "zh"), "师资培训");
        assert_eq!(area_name("student_exchange", "ms"), "Pertukaran pelajar");
        assert_eq!(area_name("nonsense", "en"), "nonsense");
    }
}
