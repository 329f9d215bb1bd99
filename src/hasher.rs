//! The one hasher of fingerprints, stamps and cache keys (SipHash with fixed keys: the
//! fingerprints are written to the output's manifest and compared by the next process).
//! [`crate::incremental`] owns what is hashed and says why; the hasher sits in a module of its
//! own below every module that keys a cache, so that `site` (page identities, the index's
//! signature) and `incremental` (which reads the site) hash alike without importing each
//! other. Content hashes of file bytes are another job, done by `load::hash`.

use std::hash::{DefaultHasher, Hash, Hasher};

/// The hasher: stable across processes (fixed keys).
pub fn hasher() -> DefaultHasher {
    DefaultHasher::new()
}

/// Hashes `value` with [`hasher`].
pub fn hash_of(value: impl Hash) -> u64 {
    let mut h = hasher();
    value.hash(&mut h);
    h.finish()
}
