//! How numbers are shown to people and written to JSON, NaN and ±∞ included.

/// A number for people: integers as integers, others with up to 6 significant digits,
/// very large or small ones in scientific notation, and `NaN`, `∞`, `−∞` spelled out.
/// Minus signs are ASCII `-` so the text can be pasted back into a program.
pub fn format_number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞".into() } else { "-∞".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = x.abs();
    if !(1e-4..1e9).contains(&magnitude) {
        let text = format!("{x:.5e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        return format!("{}e{exponent}", trim_zeros(mantissa));
    }
    let decimals = (5 - magnitude.log10().floor() as i32).clamp(0, 12) as usize;
    let text = format!("{x:.decimals$}");
    let text = trim_zeros(&text);
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

fn trim_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

/// Serde for `f64` that keeps NaN and ±∞: finite numbers as JSON numbers (full
/// precision), the others as the strings `"NaN"`, `"inf"` and `"-inf"`.
pub mod serde_f64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            serializer.serialize_f64(*x)
        } else {
            serializer.serialize_str(non_finite_name(*x))
        }
    }

    pub fn non_finite_name(x: f64) -> &'static str {
        if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "inf"
        } else {
            "-inf"
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrName {
        Number(f64),
        Name(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        match NumberOrName::deserialize(deserializer)? {
            NumberOrName::Number(x) => Ok(x),
            NumberOrName::Name(name) => match name.as_str() {
                "NaN" => Ok(f64::NAN),
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                _ => Err(serde::de::Error::custom(format!(
                    "`{name}` is not a number"
                ))),
            },
        }
    }

    /// The same for a `Vec<f64>`.
    pub mod vec {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        #[derive(Serialize, Deserialize)]
        #[serde(transparent)]
        struct Number(#[serde(with = "super")] f64);

        pub fn serialize<S: Serializer>(xs: &[f64], serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(xs.iter().map(|&x| Number(x)))
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Vec<f64>, D::Error> {
            Ok(Vec::<Number>::deserialize(deserializer)?
                .into_iter()
                .map(|n| n.0)
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_for_people() {
        let cases = [
            (21.0, "21"),
            (-0.5, "-0.5"),
            (0.1 + 0.2, "0.3"),
            (1.0 / 3.0, "0.333333"),
            (-1.824, "-1.824"),
            (0.6984652160025, "0.698465"),
            (123456.789, "123457"),
            (1e-3, "0.001"),
            (1.5e-7, "1.5e-7"),
            (2e12, "2e12"),
            (-0.0, "0"),
            (-1e-20, "-1e-20"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "∞"),
            (f64::NEG_INFINITY, "-∞"),
        ];
        for (x, text) in cases {
            assert_eq!(format_number(x), text, "{x:e}");
        }
    }

    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Sample {
        #[serde(with = "serde_f64")]
        x: f64,
        #[serde(with = "serde_f64::vec")]
        xs: Vec<f64>,
    }

    #[test]
    fn json_keeps_non_finite_numbers() {
        let sample = Sample {
            x: 0.1,
            xs: vec![f64::INFINITY, f64::NAN, -1.5],
        };
        let json = serde_json::to_string(&sample).unwrap();
        assert_eq!(json, r#"{"x":0.1,"xs":["inf","NaN",-1.5]}"#);
        let back: Sample = serde_json::from_str(&json).unwrap();
        assert_eq!(back.x, 0.1);
        assert!(back.xs[1].is_nan() && back.xs[0] == f64::INFINITY);
        assert!(serde_json::from_str::<Sample>(r#"{"x":"oops","xs":[]}"#).is_err());
    }
}
