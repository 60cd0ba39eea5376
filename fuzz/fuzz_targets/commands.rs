#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| l2lab::fuzz::commands(data));
