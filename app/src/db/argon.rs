//! Argon2id hashing and verification with reused working memory.
//!
//! Each computation needs `m_cost` KiB of blocks (19 MiB with the default parameters). The
//! `argon2` crate allocates them per call; glibc then keeps such freed blocks in per-thread
//! arenas, and a burst of 300 log-ins left the server at 873 MiB resident where 76 MiB was live
//! (scripts/bench-abuse.sh, end2end/bench/BENCHMARKS.md). Here the blocks come from a small
//! pool instead: at most as many buffers as computations run at once (the argon2 semaphore in
//! `accounts`), each reused for the life of the process.

use std::sync::Mutex;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Buffers kept for reuse; more than this many at once are allocated and dropped.
const MAX_POOLED: usize = 8;

static POOL: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

fn with_blocks<T>(count: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    let pooled = POOL
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .pop()
        .filter(|b| b.len() == count);
    let mut blocks = pooled.unwrap_or_else(|| vec![Block::default(); count]);
    let out = work(&mut blocks);
    let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
    if pool.len() < MAX_POOLED {
        pool.push(blocks);
    }
    out
}

/// The raw argon2 output of `password` for these parameters, or `None` when they are invalid.
fn compute(
    password: &[u8],
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    salt: Salt<'_>,
) -> Option<Output> {
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf).ok()?;
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let argon = Argon2::new(algorithm, version, params.clone());
    with_blocks(params.block_count(), |blocks| {
        Output::init_with(len, |out| {
            argon
                .hash_password_into_with_memory(password, salt, out, &mut *blocks)
                .map_err(Into::into)
        })
        .ok()
    })
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password` with a fresh random salt and
/// the default parameters.
pub fn hash(password: &str) -> Option<String> {
    let salt = SaltString::generate(&mut OsRng);
    let params = Params::default();
    let (algorithm, version) = (Algorithm::default(), Version::default());
    let output = compute(
        password.as_bytes(),
        algorithm,
        version,
        &params,
        salt.as_salt(),
    )?;
    let phc = PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: ParamsString::try_from(&params).ok()?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Some(phc.to_string())
}

/// Whether `password` matches the PHC string `phc` (any argon2 variant, version and parameters
/// the string names). The comparison is constant-time (`Output`'s equality).
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    compute(password.as_bytes(), algorithm, version, &params, salt)
        .is_some_and(|out| out == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordHasher;
    use argon2::PasswordVerifier;

    #[test]
    fn our_hashes_verify_with_the_crate_and_the_crates_with_ours() {
        let ours = hash("correct horse").expect("hash");
        let parsed = PasswordHash::new(&ours).expect("phc");
        assert!(Argon2::default()
            .verify_password(b"correct horse", &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"wrong horse", &parsed)
            .is_err());

        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"battery staple", &salt)
            .expect("crate hash")
            .to_string();
        assert!(verify("battery staple", &theirs));
        assert!(!verify("battery stapler", &theirs));
        // Reused buffers give the same answers.
        assert!(verify("battery staple", &theirs));
        assert!(verify("correct horse", &ours));
    }

    #[test]
    fn garbage_and_other_parameters() {
        assert!(!verify("x", ""));
        assert!(!verify("x", "$argon2id$v=19$m=19456,t=2,p=1$bm9zYWx0$"));
        assert!(!verify("x", "not a hash"));
        // Other parameters than the default (a smaller m_cost) are read from the string.
        let params = Params::new(8 * 1024, 1, 1, None).expect("params");
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::generate(&mut OsRng);
        let small = argon.hash_password(b"pw", &salt).expect("hash").to_string();
        assert!(verify("pw", &small));
        assert!(!verify("pv", &small));
    }
}
