//! Shapes: NumPy broadcasting forward, and its backward (summing over broadcast dimensions).

use super::{Tensor, TensorError, element_count};

/// The shape two operands broadcast to under NumPy's rules: align the shapes on the right;
/// each pair of dimensions must be equal or contain a 1, which stretches to the other.
pub fn broadcast_shapes(left: &[usize], right: &[usize]) -> Result<Vec<usize>, TensorError> {
    broadcast_shapes_for("broadcast", left, right)
}

/// [`broadcast_shapes`], naming the op that asked in the error.
pub(crate) fn broadcast_shapes_for(
    op: &'static str,
    left: &[usize],
    right: &[usize],
) -> Result<Vec<usize>, TensorError> {
    let rank = left.len().max(right.len());
    let mut shape = vec![0; rank];
    for (from_end, slot) in shape.iter_mut().rev().enumerate() {
        let left_dim = dim_from_end(left, from_end);
        let right_dim = dim_from_end(right, from_end);
        *slot = match (left_dim, right_dim) {
            (l, r) if l == r => l,
            (1, r) => r,
            (l, 1) => l,
            _ => {
                return Err(TensorError::NotBroadcastable {
                    op,
                    left: left.to_vec(),
                    right: right.to_vec(),
                    left_dim,
                    right_dim,
                });
            }
        };
    }
    element_count(&shape)?;
    Ok(shape)
}

/// The `from_end`-th dimension counted from the right, 1 where the shape is too short.
fn dim_from_end(shape: &[usize], from_end: usize) -> usize {
    shape
        .len()
        .checked_sub(from_end + 1)
        .map_or(1, |index| shape[index])
}

/// Sum `grad` over the dimensions that broadcasting stretched, giving a tensor of `shape`.
/// This is the backward of broadcasting `shape` up to `grad.shape()`.
pub fn reduce_to_shape(grad: &Tensor, shape: &[usize]) -> Result<Tensor, TensorError> {
    if grad.shape() == shape {
        return Ok(grad.clone());
    }
    let not_reducible = || TensorError::NotReducible {
        from: grad.shape().to_vec(),
        to: shape.to_vec(),
    };
    let combined = broadcast_shapes(shape, grad.shape()).map_err(|_| not_reducible())?;
    if combined != grad.shape() {
        return Err(not_reducible());
    }
    let mut summed = vec![0.0; element_count(shape)?];
    for (value, source) in grad.data().iter().zip(source_indices(shape, grad.shape())) {
        summed[source] += value;
    }
    Ok(Tensor::from_parts(shape.to_vec(), summed))
}

/// For each element of a tensor of shape `target` (row-major), the index of the element of
/// a tensor of shape `source` that broadcasting copies there. `source` must broadcast to
/// `target`.
pub(crate) fn source_indices(source: &[usize], target: &[usize]) -> Vec<usize> {
    let offset = target.len() - source.len();
    // The source's stride along each target dimension; 0 where the source is stretched.
    let mut strides = vec![0; target.len()];
    let mut stride = 1;
    for (axis, &dim) in source.iter().enumerate().rev() {
        if dim != 1 {
            strides[axis + offset] = stride;
        }
        stride *= dim;
    }
    let count: usize = target.iter().product();
    let mut indices = Vec::with_capacity(count);
    let mut position = vec![0; target.len()];
    let mut source_index = 0;
    for _ in 0..count {
        indices.push(source_index);
        // Advance the multi-index like an odometer, keeping `source_index` in step.
        for axis in (0..target.len()).rev() {
            position[axis] += 1;
            source_index += strides[axis];
            if position[axis] < target[axis] {
                break;
            }
            source_index -= strides[axis] * position[axis];
            position[axis] = 0;
        }
    }
    indices
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasts_like_numpy() {
        assert_eq!(broadcast_shapes(&[3, 1], &[1, 4]), Ok(vec![3, 4]));
        assert_eq!(broadcast_shapes(&[2, 3], &[3]), Ok(vec![2, 3]));
        assert_eq!(broadcast_shapes(&[], &[2, 2]), Ok(vec![2, 2]));
        assert_eq!(broadcast_shapes(&[5, 1, 3], &[4, 1]), Ok(vec![5, 4, 3]));
        assert_eq!(broadcast_shapes(&[0], &[1]), Ok(vec![0]));
    }

    #[test]
    fn names_the_dimensions_that_clash() {
        let error = broadcast_shapes(&[2, 3], &[4]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "broadcast: [2,3] and [4] do not broadcast — dimensions 3 and 4 differ"
        );
    }

    #[test]
    fn maps_target_elements_to_their_source() {
        assert_eq!(source_indices(&[3, 1], &[3, 2]), vec![0, 0, 1, 1, 2, 2]);
        assert_eq!(source_indices(&[2], &[3, 2]), vec![0, 1, 0, 1, 0, 1]);
        assert_eq!(source_indices(&[], &[2, 2]), vec![0; 4]);
        assert_eq!(source_indices(&[2, 2], &[2, 2]), vec![0, 1, 2, 3]);
    }

    #[test]
    fn reduction_sums_over_broadcast_dimensions() {
        let grad = Tensor::from_vec(vec![2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        assert_eq!(
            reduce_to_shape(&grad, &[3]).unwrap().data(),
            &[5.0, 7.0, 9.0]
        );
        assert_eq!(
            reduce_to_shape(&grad, &[2, 1]).unwrap().data(),
            &[6.0, 15.0]
        );
        assert_eq!(reduce_to_shape(&grad, &[]).unwrap().data(), &[21.0]);
        assert_eq!(reduce_to_shape(&grad, &[1, 3]).unwrap().shape(), &[1, 3]);
    }

    #[test]
    fn reduction_refuses_shapes_that_did_not_broadcast() {
        let grad = Tensor::zeros(&[2, 3]).unwrap();
        assert!(matches!(
            reduce_to_shape(&grad, &[2]),
            Err(TensorError::NotReducible { .. })
        ));
        assert!(matches!(
            reduce_to_shape(&grad, &[4, 2, 3]),
            Err(TensorError::NotReducible { .. })
        ));
    }
}
