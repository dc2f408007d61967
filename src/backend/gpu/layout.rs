//! Broadcast layouts for the binary kernels: the output's dimensions and each operand's
//! stride along them (0 where broadcasting stretches the operand), with dimensions of
//! size 1 dropped and neighbours that both operands walk alike merged, so most layouts
//! need only one to three dimensions on the GPU.

use super::{GpuError, MAX_GPU_RANK};
use crate::tensor::shape::broadcast_shapes_for;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BroadcastLayout {
    /// The broadcast output shape, as the CPU computes it.
    pub(crate) shape: Vec<usize>,
    /// The compacted dimensions, outermost first.
    pub(crate) dims: Vec<usize>,
    /// Per operand (left, right), its stride along each compacted dimension.
    pub(crate) strides: [Vec<usize>; 2],
}

impl BroadcastLayout {
    pub(crate) fn new(
        op: &'static str,
        left: &[usize],
        right: &[usize],
    ) -> Result<BroadcastLayout, GpuError> {
        let shape = broadcast_shapes_for(op, left, right)?;
        let full = [
            aligned_strides(left, &shape),
            aligned_strides(right, &shape),
        ];
        let mut dims: Vec<usize> = Vec::new();
        let mut strides: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
        for (axis, &dim) in shape.iter().enumerate() {
            if dim == 1 {
                continue;
            }
            let continues =
                |operand: usize| strides[operand].last() == Some(&(full[operand][axis] * dim));
            match dims.last_mut() {
                Some(outer) if continues(0) && continues(1) => {
                    *outer *= dim;
                    for operand in 0..2 {
                        if let Some(stride) = strides[operand].last_mut() {
                            *stride = full[operand][axis];
                        }
                    }
                }
                _ => {
                    dims.push(dim);
                    for operand in 0..2 {
                        strides[operand].push(full[operand][axis]);
                    }
                }
            }
        }
        if dims.len() > MAX_GPU_RANK {
            return Err(GpuError::RankTooLarge {
                op,
                rank: dims.len(),
                limit: MAX_GPU_RANK,
            });
        }
        Ok(BroadcastLayout {
            shape,
            dims,
            strides,
        })
    }

    /// How many output elements each element of `operand` is copied to.
    pub(crate) fn copies(&self, operand: usize) -> usize {
        self.dims
            .iter()
            .zip(&self.strides[operand])
            .filter(|&(_, &stride)| stride == 0)
            .map(|(&dim, _)| dim)
            .product()
    }

    /// Dimensions and strides as the kernels' uniform `array<vec4<u32>, 2>` fields.
    pub(crate) fn packed(&self) -> [[[u32; 4]; 2]; 3] {
        let pack = |values: &[usize]| {
            let mut packed = [[0u32; 4]; 2];
            for (slot, &value) in values.iter().enumerate() {
                packed[slot / 4][slot % 4] = u32::try_from(value).unwrap_or(u32::MAX);
            }
            packed
        };
        [
            pack(&self.dims),
            pack(&self.strides[0]),
            pack(&self.strides[1]),
        ]
    }
}

/// The operand's contiguous stride along each dimension of `shape` (aligned on the right),
/// 0 where the operand has size 1 or lacks the dimension.
pub(crate) fn aligned_strides(operand: &[usize], shape: &[usize]) -> Vec<usize> {
    let offset = shape.len() - operand.len();
    let mut strides = vec![0; shape.len()];
    let mut stride = 1;
    for (axis, &dim) in operand.iter().enumerate().rev() {
        if dim != 1 {
            strides[axis + offset] = stride;
        }
        stride *= dim;
    }
    strides
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(left: &[usize], right: &[usize]) -> BroadcastLayout {
        BroadcastLayout::new("test", left, right).unwrap()
    }

    #[test]
    fn equal_shapes_collapse_to_one_dimension() {
        let equal = layout(&[2, 3, 4], &[2, 3, 4]);
        assert_eq!(equal.dims, vec![24]);
        assert_eq!(equal.strides, [vec![1], vec![1]]);
        assert_eq!(equal.copies(0), 1);
    }

    #[test]
    fn a_row_against_a_column_keeps_two() {
        let outer = layout(&[3, 1], &[1, 4]);
        assert_eq!(outer.shape, vec![3, 4]);
        assert_eq!(outer.dims, vec![3, 4]);
        assert_eq!(outer.strides, [vec![1, 0], vec![0, 1]]);
        assert_eq!((outer.copies(0), outer.copies(1)), (4, 3));
    }

    #[test]
    fn bias_and_scalar_broadcasts() {
        let bias = layout(&[5, 2, 3], &[3]);
        assert_eq!(bias.dims, vec![10, 3]);
        assert_eq!(bias.strides, [vec![3, 1], vec![0, 1]]);
        assert_eq!(bias.copies(1), 10);
        let scalar = layout(&[], &[2, 2]);
        assert_eq!(scalar.dims, vec![4]);
        assert_eq!(scalar.strides, [vec![0], vec![1]]);
        let both_scalars = layout(&[], &[1, 1]);
        assert_eq!(both_scalars.shape, vec![1, 1]);
        assert!(both_scalars.dims.is_empty());
        assert_eq!(both_scalars.copies(0), 1);
    }

    #[test]
    fn refuses_what_does_not_broadcast_or_needs_too_many_dimensions() {
        assert!(matches!(
            BroadcastLayout::new("add", &[2, 3], &[4]),
            Err(GpuError::Tensor(_))
        ));
        // Alternating stretched dimensions cannot merge: 9 of them.
        let left: Vec<usize> = (0..9)
            .map(|axis| if axis % 2 == 0 { 2 } else { 1 })
            .collect();
        let right: Vec<usize> = (0..9)
            .map(|axis| if axis % 2 == 0 { 1 } else { 2 })
            .collect();
        assert!(matches!(
            BroadcastLayout::new("add", &left, &right),
            Err(GpuError::RankTooLarge { rank: 9, .. })
        ));
    }
}
