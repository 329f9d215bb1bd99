//! The seed material's warnings about one account, each a rule written once: find a coach
//! (发展向导) once a deal is real, know the decision-maker, get a key customer's
//! decision-maker to 约会 or deeper ("与关键客户建立约会以上的客户关系"), and visit as often
//! as the stage asks. The customer page, the board, the owner's page and the brief show
//! [`flags`]; the visits page's "gone quiet" list is [`cadence_exceeded`].

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::{Outcome, SiteConfig};
use crate::model::{Relationship, Role, Tier};
use crate::parse::front_matter::{Contact, Customer};

/// One warning about an account. The id is its label key (`flag_<id>` in the theme's
/// labels) and its CSS class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    /// At `opportunity` or later, no contact is the coach (无向导).
    NoCoach,
    /// No contact is the decision-maker.
    NoDecisionMaker,
    /// A key customer whose decision-maker is below 约会.
    RelationshipBelowDating,
    /// Days since the last visit exceed the stage's cadence.
    VisitCadence,
}

impl Flag {
    pub const ALL: [Flag; 4] = [
        Flag::NoCoach,
        Flag::NoDecisionMaker,
        Flag::RelationshipBelowDating,
        Flag::VisitCadence,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Flag::NoCoach => "no-coach",
            Flag::NoDecisionMaker => "no-decision-maker",
            Flag::RelationshipBelowDating => "relationship-below-dating",
            Flag::VisitCadence => "visit-cadence",
        }
    }

    /// The theme's label key.
    pub fn label_key(self) -> &'static str {
        match self {
            Flag::NoCoach => "flag_no_coach",
            Flag::NoDecisionMaker => "flag_no_decision_maker",
            Flag::RelationshipBelowDating => "flag_relationship_below_dating",
            Flag::VisitCadence => "flag_visit_cadence",
        }
    }
}

/// The customer's flags, in [`Flag::ALL`]'s order. Closed deals (won or lost) get none but
/// the cadence flag of a won customer (delivery and payment still need visits).
pub fn flags(c: &Customer, config: &SiteConfig, today: NaiveDate) -> Vec<Flag> {
    let mut out = Vec::new();
    let open = crate::sales::deal::is_open(c, config);
    let has = |role: Role| c.contacts.iter().any(|k| k.role == Some(role));
    if open && at_opportunity_or_later(c, config) && !has(Role::Coach) {
        out.push(Flag::NoCoach);
    }
    if open && !has(Role::DecisionMaker) {
        out.push(Flag::NoDecisionMaker);
    }
    if open && is_key(c) && decision_maker_below_dating(c) {
        out.push(Flag::RelationshipBelowDating);
    }
    if cadence_exceeded(c, config, today) {
        out.push(Flag::VisitCadence);
    }
    out
}

/// "Opportunity or later": an open stage at or after the stage with id `opportunity` in the
/// configured order. A site without an `opportunity` stage has no such stage.
pub fn at_opportunity_or_later(c: &Customer, config: &SiteConfig) -> bool {
    let (Some(stage), Some(opp)) = (c.stage, config.stage("opportunity")) else {
        return false;
    };
    stage >= opp && config.outcome(stage) == Outcome::Open
}

/// A key customer (关键客户): in the `partner` or `proactive` tier, or in the attack or
/// defend quadrant.
pub fn is_key(c: &Customer) -> bool {
    matches!(c.tier, Some(Tier::Partner | Tier::Proactive))
        || matches!(crate::sales::deal::quadrant(c), Some("attack" | "defend"))
}

/// Every decision-maker's relationship is below 约会 (none written counts as below); a
/// customer without a decision-maker has its own flag, not this one.
fn decision_maker_below_dating(c: &Customer) -> bool {
    let mut dms = c
        .contacts
        .iter()
        .filter(|k| k.role == Some(Role::DecisionMaker))
        .peekable();
    dms.peek().is_some() && dms.all(below_dating)
}

fn below_dating(k: &Contact) -> bool {
    k.relationship.is_none_or(|r| r < Relationship::Dating)
}

/// Days the customer may go without a visit: its stage's cadence
/// ([`SiteConfig::visit_every_days`]), `stale_after_days` without a stage; `None` for a lost
/// deal, which is not chased.
pub fn cadence(c: &Customer, config: &SiteConfig) -> Option<i64> {
    match c.stage {
        None => Some(config.stale_after_days),
        Some(s) if config.outcome(s) == Outcome::Lost => None,
        Some(s) => Some(config.visit_every_days(s)),
    }
}

/// The days since the last visit made exceed the cadence; never visited exceeds any.
pub fn cadence_exceeded(c: &Customer, config: &SiteConfig, today: NaiveDate) -> bool {
    let Some(every) = cadence(c, config) else {
        return false;
    };
    super::last_visit_by(c, today).is_none_or(|d| (today - d).num_days() > every)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Level;
    use crate::parse::front_matter::Visit;

    fn day(s: &str) -> NaiveDate {
        crate::model::parse_date(s).unwrap()
    }

    fn contact(role: Role, relationship: Option<&str>) -> Contact {
        Contact {
            name: "x".into(),
            role: Some(role),
            relationship: relationship.and_then(Relationship::parse),
            ..Contact::default()
        }
    }

    fn at(config: &SiteConfig, stage: &str, contacts: Vec<Contact>, visited: Option<&str>) -> Customer {
        Customer {
            stage: config.stage(stage),
            contacts,
            visits: visited
                .map(|d| Visit {
                    date: Some(day(d)),
                    ..Visit::default()
                })
                .into_iter()
                .collect(),
            ..Customer::default()
        }
    }

    #[test]
    fn a_coach_is_needed_from_opportunity_on() {
        let config = SiteConfig::default();
        let today = day("2026-12-01");
        let dm = || vec![contact(Role::DecisionMaker, Some("trust"))];
        let f = |stage: &str| flags(&at(&config, stage, dm(), Some("2026-11-30")), &config, today);
        assert_eq!(f("quote"), vec![Flag::NoCoach]);
        assert_eq!(f("opportunity"), vec![Flag::NoCoach]);
        assert_eq!(f("lead"), vec![]);
        assert_eq!(f("target"), vec![]);
        assert_eq!(f("won"), vec![], "a won deal is closed");
        assert_eq!(f("lost"), vec![]);
    }

    #[test]
    fn a_key_customers_decision_maker_below_dating() {
        let config = SiteConfig::default();
        let today = day("2026-12-01");
        let key = |rel: Option<&str>| Customer {
            tier: Some(Tier::Partner),
            ..at(
                &config,
                "lead",
                vec![contact(Role::DecisionMaker, rel)],
                Some("2026-11-30"),
            )
        };
        let f = |c: &Customer| flags(c, &config, today);
        assert_eq!(f(&key(Some("acquaintance"))), vec![Flag::RelationshipBelowDating]);
        assert_eq!(f(&key(None)), vec![Flag::RelationshipBelowDating]);
        assert_eq!(f(&key(Some("dating"))), vec![]);
        assert_eq!(f(&key(Some("trust"))), vec![]);
        let mut basic = key(Some("acquaintance"));
        basic.tier = Some(Tier::Basic);
        assert_eq!(f(&basic), vec![], "not a key customer");
        basic.potential = Some(Level::High);
        basic.share = Some(Level::Low);
        assert_eq!(
            f(&basic),
            vec![Flag::RelationshipBelowDating],
            "the attack quadrant is key"
        );
    }

    #[test]
    fn the_cadence_is_the_stages() {
        let config = SiteConfig::parse("stale_after_days: 45\nstages:\n  - {id: quote, label: 报价, probability: 0.6}\n  - {id: pilot, label: 试点, probability: 0.5}\n  - {id: slow, label: 慢, probability: 0.1, visit_every_days: 90}\n  - {id: lost, label: 丢, probability: 0}\n").unwrap();
        let today = day("2026-12-01");
        let quiet =
            |stage: &str, last: Option<&str>| cadence_exceeded(&at(&config, stage, vec![], last), &config, today);
        assert!(!quiet("quote", Some("2026-11-24")), "7 days is within a quote's 7");
        assert!(quiet("quote", Some("2026-11-23")));
        assert!(
            !quiet("pilot", Some("2026-10-17")),
            "a custom stage falls back to stale_after_days"
        );
        assert!(quiet("pilot", Some("2026-10-16")));
        assert!(!quiet("slow", Some("2026-09-02")));
        assert!(quiet("slow", None), "never visited");
        assert!(!quiet("lost", None), "a lost deal is not chased");
        assert!(quiet("quote", Some("2026-12-20")), "a visit ahead of today is a plan");
    }
}
