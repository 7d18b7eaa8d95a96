//! `no_hat`: not measured yet — always `unknown` (`not_implemented`) until its measure lands.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{CheckResult, Messages};
use crate::observe::Observation;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

const MESSAGES: Messages = &[];

pub fn check(_obs: &Observation, _p: &Params) -> CheckResult {
    CheckResult::unknown("not_implemented", json!({}), json!({}), MESSAGES)
}
