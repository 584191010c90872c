//! The seed story's article (`shared/fixtures/iukl-visit-2024-05-08.en.txt`), taken
//! through the editorial chain by the five people the article credits and published on
//! 2024-05-24. The English text is the release with its defects corrected ("Syudies",
//! "an symposium", "internationally educational", "jointly training"); the credits and
//! the view count are not part of the body but rendered by the site. The fixture holds
//! no Chinese original: the Chinese version here was written for the demo and says so.

use sqlx::AnyConnection;

use super::{
    model::{Link, NewArticle, VersionInput},
    store::{self, StepRequest},
    workflow::{Editor, StepAction},
};
use crate::{audit::Actor, auth::Role, error::AppResult};

/// The English title, corrected.
pub const TITLE_EN: &str = "Delegation from Infrastructure University Kuala Lumpur, Malaysia, Visits Our School for Symposium on Educational Cooperation and Exchange";

const SUMMARY_EN: &str = "On May 8, 2024, a delegation of four from Infrastructure University Kuala Lumpur (IUKL), led by Vice President Chen Zhihui, visited our school for a symposium on international cooperation and exchange; both schools reached a consensus on educational cooperation projects.";

const BODY_EN: &str = "On May 8, 2024, a delegation of four members from Infrastructure University Kuala Lumpur (IUKL), led by Chen Zhihui, Vice President and Director of the Institute of Smart Industry, visited our school to hold a symposium on international cooperation and exchange. Our school was represented by President Ma Shaojian, CPC Committee member, Vice President Qin Yongling, and relevant officials from the Human Resources Department and School of Foreign Studies (School of International Education).

On the morning of their visit, Ma Shaojian met with the IUKL delegation in conference room 1508, Shixun Building. Ma Shaojian warmly welcomed Chen Zhihui and his team, appreciating that IUKL enjoys a prestigious reputation in industries such as infrastructure, engineering, and electronic information technology. He hoped that the symposium would lead to cooperation between our school and IUKL in areas such as joint education programs, academic exchanges, teacher training, undergraduate to master's progression, and undergraduate exchange programs.

Subsequently, the international educational cooperation and exchange symposium between the two schools took place in conference room 1507, Shixun Building. During the symposium, Qin Yongling, Chen Zhihui, and other leaders gave brief introductions to their schools' educational profiles, specialized programs, honors and awards, and the current status of international exchanges and educational internationalization efforts. They explored potential cooperation in joint education programs, academic exchanges, teacher training, degree enhancement, and student and faculty exchange programs. Chen Zhihui expressed a desire for both schools to leverage their unique educational features and advantages, strengthen cooperation in areas such as degree enhancement, student and faculty visits, joint training programs, and collaborative research to achieve mutual benefits and win-win outcomes and to further enhance research capabilities and the level of educational internationalization.

Infrastructure University Kuala Lumpur is a newly added international partner institution for our school in 2024. Both schools have reached a consensus on international educational cooperation projects, laying a solid foundation for further collaboration. This partnership will provide an international platform for teachers and students from both schools, diversify educational resources, jointly promote academic and research development, and foster cultural exchange and educational cooperation between the two countries.
";

const TITLE_ZH: &str = "马来西亚吉隆坡基础设施大学代表团来访我校并举行教育合作与交流座谈会";

const SUMMARY_ZH: &str = "2024年5月8日，马来西亚吉隆坡基础设施大学副校长Chen Zhihui一行4人来访我校，双方举行国际教育合作与交流座谈会，并就国际教育合作项目达成共识。";

const BODY_ZH: &str = "2024年5月8日，马来西亚吉隆坡基础设施大学（IUKL）副校长兼智能产业学院院长Chen Zhihui一行4人来访我校，举行国际合作与交流座谈会。校长、党委委员Ma Shaojian，副校长Qin Yongling，人事处及外国语学院（国际教育学院）相关负责人出席。

当天上午，Ma Shaojian在实训楼1508会议室会见了代表团一行。Ma Shaojian对Chen Zhihui一行的到来表示热烈欢迎，赞赏该校在基础设施、工程、电子信息技术等领域享有盛誉，希望双方以此次座谈会为契机，在合作办学、学术交流、师资培训、本硕连读及本科生交换等方面开展合作。

随后，两校国际教育合作与交流座谈会在实训楼1507会议室举行。座谈会上，Qin Yongling、Chen Zhihui等分别介绍了两校的办学概况、特色专业、荣誉奖项以及国际交流与教育国际化工作现状。双方就合作办学、学术交流、师资培训、学历提升、师生交流互访、联合培养和合作科研等方面的合作进行了深入探讨。

马来西亚吉隆坡基础设施大学是我校2024年新增的国际合作院校。两校就国际教育合作项目达成共识，为进一步合作奠定了坚实基础。
";

const NOTE_ZH: &str = "本中文稿为演示数据而写：样例只收录了英文新闻稿，原始中文稿不在其中。人名的汉字写法未知，故保留拼音。";

fn editor(name: &str, role: Role) -> Editor {
    Editor { actor: Actor::system("demo"), name: name.to_string(), roles: vec![role] }
}

/// Records the seed article and takes it through the chain; returns its id. The photo
/// (credited to Xiao Jia) is added by the demo loader, which has the file store.
pub async fn seed_article(conn: &mut AnyConnection, iukl: i64, visit: i64, chen: i64) -> AppResult<i64> {
    let author = editor("Qin Lijuan", Role::Author);
    let translator = editor("Peng Gaoliang", Role::Translator);
    let proofreader = editor("Tang Mei", Role::Proofreader);
    let reviewer = editor("Lin Na", Role::Reviewer);
    let link = |kind: &str, target_id| Link { kind: kind.into(), target_id, label: String::new() };
    let new = NewArticle {
        original_lang: "zh".into(),
        required_langs: Some(vec!["zh".into(), "en".into()]),
        original: VersionInput {
            title: TITLE_ZH.into(),
            summary: SUMMARY_ZH.into(),
            body: BODY_ZH.into(),
            note: NOTE_ZH.into(),
            base_revision: None,
        },
        slug: Some("iukl-delegation-symposium-2024".into()),
        links: vec![link("visit", visit), link("institution", iukl), link("person", chen)],
        tags: vec!["visits".into(), "malaysia".into(), "cooperation".into()],
        institution_id: Some(iukl),
    };
    let id = store::create_article(conn, &author, &new).await?;
    let submit = StepRequest { action: StepAction::Submit, to: None, comment: String::new(), publish_at: None };
    store::take_step(conn, &author, id, &submit).await?;
    let en = VersionInput {
        title: TITLE_EN.into(),
        summary: SUMMARY_EN.into(),
        body: BODY_EN.into(),
        note: "Translated from the Chinese.".into(),
        base_revision: None,
    };
    store::save_version(conn, &translator, id, "en", &en, None).await?;
    store::take_step(conn, &translator, id, &submit).await?;
    store::take_step(
        conn,
        &proofreader,
        id,
        &StepRequest { comment: "Spelling and articles checked with the proofreading aid.".into(), ..submit.clone() },
    )
    .await?;
    store::take_step(conn, &reviewer, id, &submit).await?;
    let publish =
        StepRequest { action: StepAction::Publish, to: None, comment: String::new(), publish_at: Some("2024-05-24T10:00:00+08:00".into()) };
    store::take_step(conn, &reviewer, id, &publish).await?;
    Ok(id)
}
