//! The verifier crate's user-facing words, one home a language: `verifier/locales/bn/verifier.ftl`
//! and `…/en/verifier.ftl` (Fluent), built in. Errors stay typed; only their text lives there.

sonod_l10n::messages!(checked "verifier.ftl");

#[cfg(test)]
mod tests {
    #[test]
    fn a_few_messages_read_as_written() {
        assert_eq!(super::bn("scan-go"), "যাচাই করুন");
        assert_eq!(super::en_with("checked", "time", "x"), "Checked x");
    }

    #[test]
    fn numbers_are_in_bangla_digits_in_the_bangla_text() {
        use crate::server::AppError;
        let batch = AppError::BatchLimited {
            wait: std::time::Duration::from_secs(12),
            allowed_now: 40,
            asked: 1000,
        }
        .to_string();
        assert!(
            batch.starts_with("এই ব্যাচে ১০০০টি; এখন সর্বোচ্চ ৪০টি পাঠানো যাবে, সবগুলো ১২ সেকেন্ড পরে / "),
            "{batch}"
        );
        assert!(
            batch.ends_with("all 1000 after 12 s (Retry-After)"),
            "{batch}"
        );
        let big = AppError::TooLarge(16384).to_string();
        assert!(
            big.contains("১৬৩৮৪ বাইট") && big.contains("16384 bytes"),
            "{big}"
        );
        let rate = AppError::TooManyRequests(std::time::Duration::from_secs(3)).to_string();
        assert!(rate.contains("৩ সেকেন্ড") && rate.contains("3 s"), "{rate}");
        let pixels = crate::ImageError::TooManyPixels(4032, 3024).to_string();
        assert_eq!(
            pixels,
            "ছবি অনেক বড় (৪০৩২×৩০২৪); JPEG ছবি সর্বোচ্চ ৫০ মেগাপিক্সেল, অন্য ছবি সর্বোচ্চ ৪০০০ পিক্সেল প্রতি পাশে ও ১২ মেগাপিক্সেল \
             / the image is too large (4032×3024); JPEG photos up to 50 megapixels, other images \
             at most 4000 pixels a side and 12 megapixels"
        );
    }
}
