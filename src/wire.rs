//! Numbers on a wire: values written as one `f64` array, which passes between the page and
//! a worker as a `Float64Array` without a change to any bit (NaN and ±∞ included), and read
//! back with every count checked, so a cut or altered message is refused in words.

use crate::tensor::Tensor;

/// The largest integer an `f64` holds exactly.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// Why a tape could not be read.
pub type WireError = String;

#[derive(Debug, Default)]
pub struct Writer(pub Vec<f64>);

impl Writer {
    pub fn number(&mut self, x: f64) {
        self.0.push(x);
    }

    pub fn count(&mut self, n: u64) {
        self.0.push(n as f64);
    }

    pub fn flag(&mut self, b: bool) {
        self.count(u64::from(b));
    }

    /// A list of numbers, its length first.
    pub fn numbers(&mut self, xs: &[f64]) {
        self.count(xs.len() as u64);
        self.0.extend_from_slice(xs);
    }

    /// Text as its characters' code points, their count first.
    pub fn text(&mut self, text: &str) {
        self.count(text.chars().count() as u64);
        self.0.extend(text.chars().map(|c| f64::from(u32::from(c))));
    }

    pub fn texts(&mut self, texts: &[String]) {
        self.count(texts.len() as u64);
        for text in texts {
            self.text(text);
        }
    }

    pub fn maybe<T>(&mut self, value: Option<T>, mut write: impl FnMut(&mut Writer, T)) {
        self.flag(value.is_some());
        if let Some(value) = value {
            write(self, value);
        }
    }

    pub fn tensor(&mut self, tensor: &Tensor) {
        self.count(tensor.shape().len() as u64);
        for &dim in tensor.shape() {
            self.count(dim as u64);
        }
        self.0.extend_from_slice(tensor.data());
    }
}

/// Reads a tape from its start.
pub struct Reader<'a> {
    tape: &'a [f64],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(tape: &'a [f64]) -> Reader<'a> {
        Reader { tape, at: 0 }
    }

    /// Whether every number was read.
    pub fn done(&self) -> bool {
        self.at == self.tape.len()
    }

    pub fn number(&mut self) -> Result<f64, WireError> {
        let x = *self
            .tape
            .get(self.at)
            .ok_or_else(|| format!("the message ends early (at number {})", self.at))?;
        self.at += 1;
        Ok(x)
    }

    pub fn slice(&mut self, n: usize) -> Result<&'a [f64], WireError> {
        let end = (self.at.checked_add(n))
            .filter(|&end| end <= self.tape.len())
            .ok_or_else(|| format!("the message ends early (at number {})", self.at))?;
        let slice = &self.tape[self.at..end];
        self.at = end;
        Ok(slice)
    }

    pub fn count(&mut self) -> Result<u64, WireError> {
        let at = self.at;
        let x = self.number()?;
        if x.fract() == 0.0 && (0.0..EXACT).contains(&x) {
            Ok(x as u64)
        } else {
            Err(format!("number {at} of the message is not a count: {x}"))
        }
    }

    /// A count no larger than what is left of the tape (a length of numbers to come).
    pub fn length(&mut self) -> Result<usize, WireError> {
        let n = self.count()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.tape.len() - self.at)
            .ok_or_else(|| format!("the message announces {n} numbers, more than it holds"))
    }

    /// A count that indexes or sizes something (a node, a slot, a dimension).
    pub fn index(&mut self) -> Result<usize, WireError> {
        let n = self.count()?;
        usize::try_from(n).map_err(|_| format!("{n} is too large an index"))
    }

    /// A list of numbers written by [`Writer::numbers`].
    pub fn numbers(&mut self) -> Result<Vec<f64>, WireError> {
        let n = self.length()?;
        Ok(self.slice(n)?.to_vec())
    }

    /// Text written by [`Writer::text`].
    pub fn text(&mut self) -> Result<String, WireError> {
        (0..self.length()?)
            .map(|_| {
                let code = self.count()?;
                (u32::try_from(code).ok().and_then(char::from_u32))
                    .ok_or_else(|| format!("{code} is not a character"))
            })
            .collect()
    }

    pub fn texts(&mut self) -> Result<Vec<String>, WireError> {
        (0..self.length()?).map(|_| self.text()).collect()
    }

    pub fn flag(&mut self) -> Result<bool, WireError> {
        match self.count()? {
            0 => Ok(false),
            1 => Ok(true),
            n => Err(format!("a yes/no in the message is {n}")),
        }
    }

    pub fn maybe<T>(
        &mut self,
        mut read: impl FnMut(&mut Reader<'a>) -> Result<T, WireError>,
    ) -> Result<Option<T>, WireError> {
        if self.flag()? {
            read(self).map(Some)
        } else {
            Ok(None)
        }
    }

    pub fn tensor(&mut self) -> Result<Tensor, WireError> {
        let rank = self.length()?;
        let shape = (0..rank)
            .map(|_| self.index())
            .collect::<Result<Vec<usize>, _>>()?;
        let size = (shape.iter())
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .ok_or("a tensor of the message is too large")?;
        let data = self.slice(size)?.to_vec();
        Tensor::from_vec(shape, data).map_err(|e| e.to_string())
    }
}
