//! Scoring predictions: the predicted class of each row of logits, and accuracy.

use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum MetricsError {
    #[error("{predicted} predictions for {labels} labels")]
    LengthMismatch { predicted: usize, labels: usize },
    #[error("accuracy of no examples is undefined")]
    Empty,
}

/// The fraction of predictions equal to their label, in `[0, 1]`.
pub fn accuracy(predicted_classes: &[usize], labels: &[usize]) -> Result<f64, MetricsError> {
    if predicted_classes.len() != labels.len() {
        return Err(MetricsError::LengthMismatch {
            predicted: predicted_classes.len(),
            labels: labels.len(),
        });
    }
    if labels.is_empty() {
        return Err(MetricsError::Empty);
    }
    let correct = predicted_classes
        .iter()
        .zip(labels)
        .filter(|(predicted, label)| predicted == label)
        .count();
    Ok(correct as f64 / labels.len() as f64)
}

/// The index of the largest entry in each row of a row-major `[rows, classes]` buffer.
///
/// Ties go to the first of the tied classes; NaN never wins over a number, and a row that
/// is all NaN predicts class 0. A trailing partial row (when `logits.len()` is not a
/// multiple of `classes`) and `classes == 0` yield no prediction.
pub fn argmax_rows(logits: &[f64], classes: usize) -> Vec<usize> {
    if classes == 0 {
        return Vec::new();
    }
    logits.chunks_exact(classes).map(argmax).collect()
}

fn argmax(row: &[f64]) -> usize {
    let mut best: Option<(usize, f64)> = None;
    for (class, &value) in row.iter().enumerate() {
        let beats_best = best.is_none_or(|(_, best_value)| value > best_value);
        if !value.is_nan() && beats_best {
            best = Some((class, value));
        }
    }
    best.map_or(0, |(class, _)| class)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_counts_matches() {
        assert_eq!(accuracy(&[0, 1, 1, 2], &[0, 1, 0, 0]), Ok(0.5));
        assert_eq!(accuracy(&[3], &[3]), Ok(1.0));
        assert_eq!(accuracy(&[1, 1], &[0, 0]), Ok(0.0));
    }

    #[test]
    fn accuracy_rejects_mismatched_or_empty_input() {
        assert_eq!(
            accuracy(&[0, 1], &[0]),
            Err(MetricsError::LengthMismatch {
                predicted: 2,
                labels: 1
            })
        );
        assert_eq!(accuracy(&[], &[]), Err(MetricsError::Empty));
    }

    #[test]
    fn argmax_picks_the_largest_entry_of_each_row() {
        let logits = [0.1, 2.0, -1.0, 5.0, 4.0, 3.0, -2.0, -3.0, -1.5];
        assert_eq!(argmax_rows(&logits, 3), vec![1, 0, 2]);
        assert_eq!(argmax_rows(&logits, 1), vec![0; 9]);
    }

    #[test]
    fn argmax_breaks_ties_to_the_first_and_skips_nan() {
        assert_eq!(argmax_rows(&[1.0, 1.0, 0.0], 3), vec![0]);
        assert_eq!(argmax_rows(&[f64::NAN, 0.5, 1.0, f64::NAN], 2), vec![1, 0]);
        assert_eq!(argmax_rows(&[f64::NAN, f64::NAN], 2), vec![0]);
        assert_eq!(argmax_rows(&[f64::NEG_INFINITY, -1e300], 2), vec![1]);
    }

    #[test]
    fn argmax_ignores_a_partial_row_and_zero_classes() {
        assert_eq!(argmax_rows(&[0.0, 1.0, 2.0], 2), vec![1]);
        assert_eq!(argmax_rows(&[0.0, 1.0], 0), Vec::<usize>::new());
        assert_eq!(argmax_rows(&[], 4), Vec::<usize>::new());
    }
}
