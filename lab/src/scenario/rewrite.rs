//! Rewriting the names a check's steps use: phones, sites, numbers. Grading
//! uses it to move a check onto the graded site and to follow a mapping file
//! (see [`super::Check::rewrite`]).

use super::names::PhoneId;

/// How each kind of name in a step changes.
pub struct Rewrite<'a> {
    pub phone: &'a dyn Fn(&PhoneId) -> PhoneId,
    pub site: &'a dyn Fn(&String) -> String,
    /// A number keyed, watched or messaged by a phone (the first argument).
    pub number: &'a dyn Fn(&PhoneId, &String) -> String,
    /// A voicemail box of a site.
    pub mailbox: &'a dyn Fn(&String, &String) -> String,
    /// The sentences saying what the check and its steps do.
    pub text: &'a dyn Fn(&str) -> String,
    /// Keys a phone presses in a call (`#1` for a blind transfer): a graded
    /// config may have its own in-call codes.
    pub keys: &'a dyn Fn(&PhoneId, &String) -> String,
}

impl Rewrite<'_> {
    pub fn phone(&self, p: &PhoneId) -> PhoneId {
        (self.phone)(p)
    }

    pub fn site(&self, s: &String) -> String {
        (self.site)(s)
    }

    pub fn number(&self, by: &PhoneId, n: &String) -> String {
        (self.number)(by, n)
    }

    pub fn mailbox(&self, site: &String, mailbox: &String) -> String {
        (self.mailbox)(site, mailbox)
    }

    pub fn keys(&self, by: &PhoneId, keys: &String) -> String {
        (self.keys)(by, keys)
    }
}
