//! The utility kernels (fill, zero, scale, accumulate, copy) and writes inside a
//! recording, which must land between the work recorded before and after them.

use super::harness::{Batch, gpu, report};
use crate::tensor::Tensor;

fn vector(values: &[f64]) -> Tensor {
    Tensor::from_vec(vec![values.len()], values.to_vec()).expect("a vector")
}

#[test]
fn utilities_and_in_recording_writes_act_in_recorded_order() {
    let Some(gpu) = gpu() else { return };
    let mut batch = Batch::new(gpu);
    let tensor = batch.upload(&vector(&[1.0, 2.0, 3.0]));
    let ones = batch.upload(&vector(&[1.0, 1.0, 1.0]));
    let copy = batch.output(&[3]);
    batch.expect("uploaded", &tensor, vector(&[1.0, 2.0, 3.0]));
    batch
        .recorder
        .write(&tensor, &[4.0, 5.0, 6.0])
        .expect("write");
    batch.expect("written mid-recording", &tensor, vector(&[4.0, 5.0, 6.0]));
    batch.recorder.scale(&tensor, 2.0).expect("scale");
    batch.expect("scaled", &tensor, vector(&[8.0, 10.0, 12.0]));
    batch
        .recorder
        .accumulate(&tensor, &ones)
        .expect("accumulate");
    batch.expect("accumulated", &tensor, vector(&[9.0, 11.0, 13.0]));
    batch.recorder.copy(&copy, &tensor).expect("copy");
    batch.recorder.fill(&tensor, 7.5).expect("fill");
    batch.expect("filled", &tensor, vector(&[7.5; 3]));
    batch.expect("copied before the fill", &copy, vector(&[9.0, 11.0, 13.0]));
    batch.recorder.zero(&copy).expect("zero");
    batch.expect("zeroed", &copy, vector(&[0.0; 3]));
    // Sizes that leave a partial workgroup and need a second grid row.
    let long = batch.output(&[1000]);
    batch.recorder.fill(&long, -2.0).expect("fill");
    batch.expect(
        "filled 1000",
        &long,
        Tensor::full(&[1000], -2.0).expect("full"),
    );
    report("utility", batch.finish());
}
