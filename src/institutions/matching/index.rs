//! The built index: vocabulary, rarity weights, postings, acronyms, domains, Chinese
//! names and one-edit variants, and the search over them.

use std::collections::HashMap;

use super::{Entry, Hit, MatchedOn, text::*};

/// A built index.
pub struct Index {
    entries: Vec<Entry>,
    vocab: HashMap<String, u32>,
    words: Vec<String>,
    /// Token ids sorted by token text, for completing a half-typed last word.
    sorted: Vec<u32>,
    idf: Vec<f32>,
    postings: Vec<Vec<u32>>,
    /// Per entry, per name: token ids.
    names: Vec<Vec<Vec<u32>>>,
    acronyms: HashMap<String, Vec<u32>>,
    /// Acronyms that were written down (in a name, given, or as a domain label), not
    /// derived from initials: the evidence behind the query-initials bonus.
    stated: HashMap<String, Vec<u32>>,
    domains: HashMap<String, u32>,
    zh: HashMap<String, Vec<u32>>,
    zh_bigrams: HashMap<(char, char), Vec<u32>>,
    /// Single-deletion variants of the vocabulary (by hash: a collision only adds a
    /// candidate that `damerau1` then rejects), for one-edit typos.
    deletes: HashMap<u64, Vec<u32>>,
}

impl Index {
    /// Builds the index.
    pub fn build(entries: Vec<Entry>) -> Index {
        let mut vocab: HashMap<String, u32> = HashMap::new();
        let mut df: Vec<u32> = Vec::new();
        let mut names = Vec::with_capacity(entries.len());
        let mut acronyms: HashMap<String, Vec<u32>> = HashMap::new();
        let mut stated: HashMap<String, Vec<u32>> = HashMap::new();
        let add = |map: &mut HashMap<String, Vec<u32>>, a: String, ei: u32| {
            let list = map.entry(a).or_default();
            if list.last() != Some(&ei) {
                list.push(ei);
            }
        };
        let mut domains = HashMap::new();
        let mut zh: HashMap<String, Vec<u32>> = HashMap::new();
        let mut zh_bigrams: HashMap<(char, char), Vec<u32>> = HashMap::new();
        for (ei, e) in entries.iter().enumerate() {
            let ei = ei as u32;
            let mut seen_in_entry: Vec<u32> = Vec::new();
            let mut entry_names = Vec::with_capacity(e.names.len());
            for n in &e.names {
                let mut ids: Vec<u32> = tokens(n)
                    .into_iter()
                    .map(|t| {
                        let next = vocab.len() as u32;
                        let id = *vocab.entry(t).or_insert(next);
                        if id as usize == df.len() {
                            df.push(0);
                        }
                        id
                    })
                    .collect();
                ids.dedup();
                for &id in &ids {
                    if !seen_in_entry.contains(&id) {
                        seen_in_entry.push(id);
                        df[id as usize] += 1;
                    }
                }
                entry_names.push(ids);
                for a in written_acronyms(n) {
                    add(&mut acronyms, a.clone(), ei);
                    add(&mut stated, a, ei);
                }
                if let Some(a) = acronym_of(n) {
                    add(&mut acronyms, a, ei);
                }
            }
            for a in &e.acronyms {
                add(&mut acronyms, a.to_lowercase(), ei);
                add(&mut stated, a.to_lowercase(), ei);
            }
            for d in &e.domains {
                domains.insert(d.to_lowercase(), ei);
                // Domain labels are often the acronym ("iukl.edu.my", "utm.my").
                if let Some(label) =
                    d.split('.').next().filter(|l| (2..=10).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic()))
                {
                    add(&mut acronyms, label.to_lowercase(), ei);
                    add(&mut stated, label.to_lowercase(), ei);
                }
            }
            if let Some(z) = &e.name_zh {
                zh.entry(z.clone()).or_default().push(ei);
                let cs: Vec<char> = z.chars().filter(|c| is_cjk(*c)).collect();
                for w in cs.windows(2) {
                    let list = zh_bigrams.entry((w[0], w[1])).or_default();
                    if list.last() != Some(&ei) {
                        list.push(ei);
                    }
                }
            }
            names.push(entry_names);
        }
        let n = entries.len().max(1) as f32;
        let idf: Vec<f32> = df.iter().map(|d| (1.0 + n / (*d as f32)).ln()).collect();
        let mut postings = vec![Vec::new(); vocab.len()];
        for (ei, ns) in names.iter().enumerate() {
            for ids in ns {
                for &id in ids {
                    let p: &mut Vec<u32> = &mut postings[id as usize];
                    if p.last() != Some(&(ei as u32)) {
                        p.push(ei as u32);
                    }
                }
            }
        }
        let mut words = vec![String::new(); vocab.len()];
        for (t, &id) in &vocab {
            words[id as usize] = t.clone();
        }
        let mut sorted: Vec<u32> = (0..words.len() as u32).collect();
        sorted.sort_by(|a, b| words[*a as usize].cmp(&words[*b as usize]));
        let mut deletes: HashMap<u64, Vec<u32>> = HashMap::new();
        for (t, &id) in &vocab {
            if t.chars().count() >= 4 {
                for d in deletions(t) {
                    deletes.entry(key(&d)).or_default().push(id);
                }
            }
        }
        deletes.shrink_to_fit();
        Index { entries, vocab, words, sorted, idf, postings, names, acronyms, stated, domains, zh, zh_bigrams, deletes }
    }

    /// The entries, in build order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Vocabulary tokens that start with `prefix` (at most `limit`), for search-as-you-type.
    fn completions(&self, prefix: &str, limit: usize) -> Vec<(u32, f32)> {
        let start = self.sorted.partition_point(|id| self.words[*id as usize].as_str() < prefix);
        self.sorted[start..]
            .iter()
            .take_while(|id| self.words[**id as usize].starts_with(prefix))
            .filter(|id| self.words[**id as usize] != prefix)
            .take(limit)
            .map(|id| (*id, 0.9))
            .collect()
    }

    /// Vocabulary tokens within one edit of `t` (itself first if known).
    fn resolve(&self, t: &str) -> Vec<(u32, f32)> {
        if let Some(&id) = self.vocab.get(t) {
            return vec![(id, 1.0)];
        }
        if t.chars().count() < 4 {
            return Vec::new();
        }
        let mut out: Vec<(u32, f32)> = Vec::new();
        let mut consider = |id: u32| {
            if !out.iter().any(|(x, _)| *x == id) {
                out.push((id, 0.8));
            }
        };
        if let Some(ids) = self.deletes.get(&key(t)) {
            ids.iter().for_each(|&id| consider(id));
        }
        for d in deletions(t) {
            if let Some(&id) = self.vocab.get(&d) {
                consider(id);
            }
            if let Some(ids) = self.deletes.get(&key(&d)) {
                ids.iter().for_each(|&id| consider(id));
            }
        }
        out.retain(|(id, _)| damerau1(&self.words[*id as usize], t));
        out
    }

    /// Like [`Index::search`] for a search box: the last word may be half typed
    /// ("infra" finds "Infrastructure …").
    pub fn search_prefix(&self, query: &str, limit: usize) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut push =
            |entry: usize, score: f32, on: MatchedOn, hits: &mut Vec<Hit>| match hits.iter_mut().find(|h: &&mut Hit| h.entry == entry) {
                Some(h) if h.score >= score => {}
                Some(h) => *h = Hit { entry, score, on },
                None => hits.push(Hit { entry, score, on }),
            };
        let full = self.search(query, limit);
        for h in &full {
            push(h.entry, h.score, h.on, &mut hits);
        }
        let ends_in_word = query.chars().last().is_some_and(char::is_alphanumeric);
        if ends_in_word {
            self.by_tokens_with(query, &[], true, &mut hits, &mut push);
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        hits.truncate(limit);
        hits
    }

    /// Ranked candidates, best first (at most `limit`).
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let mut hits: Vec<Hit> = Vec::new();
        let mut push = |entry: usize, score: f32, on: MatchedOn, hits: &mut Vec<Hit>| match hits.iter_mut().find(|h| h.entry == entry) {
            Some(h) if h.score >= score => {}
            Some(h) => *h = Hit { entry, score, on },
            None => hits.push(Hit { entry, score, on }),
        };
        // Domains and e-mail addresses.
        if let Some(host) = host_of(query) {
            let mut h = host.as_str();
            loop {
                if let Some(&e) = self.domains.get(h) {
                    push(e as usize, 1.0, MatchedOn::Domain, &mut hits);
                    break;
                }
                match h.split_once('.') {
                    Some((_, rest)) if rest.contains('.') => h = rest,
                    _ => break,
                }
            }
        }
        // Chinese names.
        if query.chars().any(is_cjk) {
            let q: String = query.chars().filter(|c| is_cjk(*c)).collect();
            if let Some(list) = self.zh.get(q.as_str()) {
                for &e in list {
                    push(e as usize, 1.0 / (list.len() as f32).sqrt(), MatchedOn::Chinese, &mut hits);
                }
            } else {
                self.chinese_overlap(&q, &mut hits, &mut push);
            }
        }
        // Acronyms: the query is one, or carries one in parentheses.
        let ws = words(query);
        let acr_query = ws.len() == 1 && (2..=10).contains(&ws[0].len()) && host_of(query).is_none();
        let written = written_acronyms(query);
        for a in ws.iter().filter(|_| acr_query).chain(written.iter()) {
            if let Some(list) = self.acronyms.get(a.as_str()) {
                let s = if acr_query { 0.95 / (list.len() as f32).powf(0.75) } else { 0.0 };
                for &e in list {
                    if acr_query {
                        push(e as usize, s, MatchedOn::Acronym, &mut hits);
                    }
                }
            }
        }
        // Name tokens.
        self.by_tokens(query, &written, &mut hits, &mut push);
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        hits.truncate(limit);
        hits
    }

    fn chinese_overlap(&self, q: &str, hits: &mut Vec<Hit>, push: &mut impl FnMut(usize, f32, MatchedOn, &mut Vec<Hit>)) {
        let cs: Vec<char> = q.chars().collect();
        let grams: Vec<(char, char)> = cs.windows(2).map(|w| (w[0], w[1])).collect();
        if grams.is_empty() {
            return;
        }
        let mut counts: HashMap<u32, u32> = HashMap::new();
        for g in &grams {
            for &e in self.zh_bigrams.get(g).map(Vec::as_slice).unwrap_or(&[]) {
                *counts.entry(e).or_default() += 1;
            }
        }
        for (e, c) in counts {
            let name_len = self.entries[e as usize].name_zh.as_ref().map(|z| z.chars().count().saturating_sub(1)).unwrap_or(1).max(1);
            let dice = 2.0 * c as f32 / (grams.len() + name_len) as f32;
            push(e as usize, dice * 0.95, MatchedOn::Chinese, hits);
        }
    }

    fn by_tokens(&self, query: &str, written: &[String], hits: &mut Vec<Hit>, push: &mut impl FnMut(usize, f32, MatchedOn, &mut Vec<Hit>)) {
        self.by_tokens_with(query, written, false, hits, push);
    }

    fn by_tokens_with(
        &self,
        query: &str,
        written: &[String],
        complete_last: bool,
        hits: &mut Vec<Hit>,
        push: &mut impl FnMut(usize, f32, MatchedOn, &mut Vec<Hit>),
    ) {
        let toks = tokens(query);
        let q: Vec<Vec<(u32, f32)>> = toks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut r = self.resolve(t);
                if complete_last && i + 1 == toks.len() && t.chars().count() >= 2 {
                    r.extend(self.completions(t, 64));
                }
                r
            })
            .collect();
        // Unknown tokens count with the highest weight: a word we cannot place makes
        // every candidate less likely.
        let known: f32 = q.iter().map(|r| r.iter().map(|(id, _)| self.idf[*id as usize]).fold(0.0, f32::max)).sum();
        let unknown = q.iter().filter(|r| r.is_empty()).count() as f32 * self.max_idf();
        let q_weight = (known + unknown).max(f32::EPSILON);
        let query_acronym = (toks.len() >= 3).then(|| toks.iter().filter_map(|t| t.chars().next()).collect::<String>());
        // Candidates: entries sharing the rarest query tokens.
        let mut by_rarity: Vec<(u32, f32)> = q.iter().flatten().copied().collect();
        by_rarity.sort_by(|a, b| self.postings[a.0 as usize].len().cmp(&self.postings[b.0 as usize].len()));
        let mut candidates: Vec<u32> = Vec::new();
        for (id, _) in by_rarity.iter().take(3) {
            let p = &self.postings[*id as usize];
            if p.len() > 4000 && !candidates.is_empty() {
                continue;
            }
            candidates.extend(p.iter().take(4000));
        }
        candidates.sort_unstable();
        candidates.dedup();
        for e in candidates {
            let mut best = 0.0f32;
            for name in &self.names[e as usize] {
                let n_weight: f32 = name.iter().map(|id| self.idf[*id as usize]).sum();
                let mut matched = 0.0f32;
                for alts in &q {
                    let m =
                        alts.iter().filter(|(id, _)| name.contains(id)).map(|(id, sim)| self.idf[*id as usize] * sim).fold(0.0, f32::max);
                    matched += m;
                }
                let dice = 2.0 * matched / (q_weight + n_weight);
                best = best.max(dice);
            }
            if !written.is_empty() && written.iter().any(|a| self.acronyms.get(a).is_some_and(|l| l.contains(&e))) {
                best = (best + 0.1).min(1.0);
            }
            // The query's own initials ("Infrastructure Univ. KL" → "iukl") naming this
            // entry's acronym is strong evidence even when its recorded name is shorter.
            if query_acronym.as_ref().is_some_and(|a| self.stated.get(a).is_some_and(|l| l.contains(&e))) {
                best = (best + 0.3).min(1.0);
            }
            if best > 0.3 {
                push(e as usize, best.min(0.99), MatchedOn::Name, hits);
            }
        }
    }

    fn max_idf(&self) -> f32 {
        (1.0 + self.entries.len().max(1) as f32).ln()
    }
}
