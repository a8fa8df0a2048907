//! A structural check of a Parquet file's footer before the Parquet reader sees it. The footer is
//! a Thrift compact-protocol struct; a malformed one can declare a list of billions of elements,
//! and the reader allocates for it up front - an allocation failure aborts the process, which no
//! error handling can catch (found by fuzzing). Here every length and element count the footer
//! declares must fit in the bytes that remain, so nothing the reader allocates can exceed the
//! file's own size by more than a constant factor.

/// Check the framing (`PAR1` ... footer, 4-byte length, `PAR1`) and walk the footer's Thrift
/// structure; `Err` says what is wrong.
pub fn check_footer(bytes: &[u8]) -> Result<(), String> {
    let n = bytes.len();
    if n < 12 || &bytes[..4] != b"PAR1" || &bytes[n - 4..] != b"PAR1" {
        return Err("not a Parquet file (expected `PAR1` at both ends)".into());
    }
    let len = u32::from_le_bytes([bytes[n - 8], bytes[n - 7], bytes[n - 6], bytes[n - 5]]) as usize;
    if len > n - 12 {
        return Err(format!("the footer claims {len} bytes, but the file has {n}"));
    }
    let mut r = Reader { b: &bytes[n - 8 - len..n - 8], at: 0 };
    r.structure(FILE_META, 0).map_err(|e| format!("malformed Parquet footer: {e}"))
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

const MAX_DEPTH: usize = 64;

/// What a known field must carry on the wire. The Parquet reader decodes fields by id, not by
/// the type the bytes declare, so a list where the schema has a list must be checked as one even
/// when the bytes call it something else.
#[derive(Clone, Copy)]
enum Wire {
    /// A varint integer (i16, i32, i64): the reader reads a varint whatever the type says.
    Int,
    /// A one-byte integer (the reader reads one raw byte).
    I8,
    Binary,
    Bool,
    List(&'static Wire),
    Struct(&'static [(i16, Wire)]),
}

const KEY_VALUE: &[(i16, Wire)] = &[(1, Wire::Binary), (2, Wire::Binary)];
const STATISTICS: &[(i16, Wire)] = &[
    (1, Wire::Binary),
    (2, Wire::Binary),
    (3, Wire::Int),
    (4, Wire::Int),
    (5, Wire::Binary),
    (6, Wire::Binary),
    (7, Wire::Bool),
    (8, Wire::Bool),
];
const PAGE_ENCODING_STATS: &[(i16, Wire)] = &[(1, Wire::Int), (2, Wire::Int), (3, Wire::Int)];
const COLUMN_META: &[(i16, Wire)] = &[
    (1, Wire::Int),
    (2, Wire::List(&Wire::Int)),
    (3, Wire::List(&Wire::Binary)),
    (4, Wire::Int),
    (5, Wire::Int),
    (6, Wire::Int),
    (7, Wire::Int),
    (8, Wire::List(&Wire::Struct(KEY_VALUE))),
    (9, Wire::Int),
    (10, Wire::Int),
    (11, Wire::Int),
    (12, Wire::Struct(STATISTICS)),
    (13, Wire::List(&Wire::Struct(PAGE_ENCODING_STATS))),
    (14, Wire::Int),
    (15, Wire::Int),
];
const COLUMN_CHUNK: &[(i16, Wire)] = &[
    (1, Wire::Binary),
    (2, Wire::Int),
    (3, Wire::Struct(COLUMN_META)),
    (4, Wire::Int),
    (5, Wire::Int),
    (6, Wire::Int),
    (7, Wire::Int),
    (9, Wire::Binary),
];
const SORTING_COLUMN: &[(i16, Wire)] = &[(1, Wire::Int), (2, Wire::Bool), (3, Wire::Bool)];
const ROW_GROUP: &[(i16, Wire)] = &[
    (1, Wire::List(&Wire::Struct(COLUMN_CHUNK))),
    (2, Wire::Int),
    (3, Wire::Int),
    (4, Wire::List(&Wire::Struct(SORTING_COLUMN))),
    (5, Wire::Int),
    (6, Wire::Int),
    (7, Wire::Int),
];
/// A struct the reader reads with no fields of its own (unknown ones skipped by their type).
const EMPTY: &[(i16, Wire)] = &[];
const COLUMN_ORDER: &[(i16, Wire)] = &[(1, Wire::Struct(EMPTY)), (2, Wire::Struct(EMPTY))];
const TIME_UNIT: &[(i16, Wire)] =
    &[(1, Wire::Struct(EMPTY)), (2, Wire::Struct(EMPTY)), (3, Wire::Struct(EMPTY))];
const TIME_TYPE: &[(i16, Wire)] = &[(1, Wire::Bool), (2, Wire::Struct(TIME_UNIT))];
const DECIMAL_TYPE: &[(i16, Wire)] = &[(1, Wire::Int), (2, Wire::Int)];
const INT_TYPE: &[(i16, Wire)] = &[(1, Wire::I8), (2, Wire::Bool)];
const LOGICAL_TYPE: &[(i16, Wire)] = &[
    (1, Wire::Struct(EMPTY)),
    (2, Wire::Struct(EMPTY)),
    (3, Wire::Struct(EMPTY)),
    (4, Wire::Struct(EMPTY)),
    (5, Wire::Struct(DECIMAL_TYPE)),
    (6, Wire::Struct(EMPTY)),
    (7, Wire::Struct(TIME_TYPE)),
    (8, Wire::Struct(TIME_TYPE)),
    (10, Wire::Struct(INT_TYPE)),
    (11, Wire::Struct(EMPTY)),
    (12, Wire::Struct(EMPTY)),
    (13, Wire::Struct(EMPTY)),
    (14, Wire::Struct(EMPTY)),
    (15, Wire::Struct(EMPTY)),
];
const SCHEMA_ELEMENT: &[(i16, Wire)] = &[
    (1, Wire::Int),
    (2, Wire::Int),
    (3, Wire::Int),
    (4, Wire::Binary),
    (5, Wire::Int),
    (6, Wire::Int),
    (7, Wire::Int),
    (8, Wire::Int),
    (9, Wire::Int),
    (10, Wire::Struct(LOGICAL_TYPE)),
];
const FILE_META: &[(i16, Wire)] = &[
    (1, Wire::Int),
    (2, Wire::List(&Wire::Struct(SCHEMA_ELEMENT))),
    (3, Wire::Int),
    (4, Wire::List(&Wire::Struct(ROW_GROUP))),
    (5, Wire::List(&Wire::Struct(KEY_VALUE))),
    (6, Wire::Binary),
    (7, Wire::List(&Wire::Struct(COLUMN_ORDER))),
    (9, Wire::Binary),
];

impl Wire {
    /// Whether Thrift compact type `ty` carries this kind of value.
    fn accepts(self, ty: u8) -> bool {
        match self {
            Wire::Int => (4..=6).contains(&ty),
            Wire::I8 => ty == 3,
            Wire::Binary => ty == 8,
            Wire::Bool => ty == 1 || ty == 2,
            Wire::List(_) => ty == 9 || ty == 10,
            Wire::Struct(_) => ty == 12,
        }
    }
}

impl Reader<'_> {
    fn left(&self) -> usize {
        self.b.len() - self.at
    }

    fn byte(&mut self) -> Result<u8, String> {
        let x = *self.b.get(self.at).ok_or("truncated")?;
        self.at += 1;
        Ok(x)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let x = self.byte()?;
            v |= u64::from(x & 0x7f) << shift.min(63);
            if x & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a varint longer than 10 bytes".into())
    }

    fn skip(&mut self, k: usize) -> Result<(), String> {
        if k > self.left() {
            return Err(format!("{k} bytes declared, {} left", self.left()));
        }
        self.at += k;
        Ok(())
    }

    /// A declared count of elements, each at least one byte: it must fit in what is left.
    fn count(&mut self, declared: u64) -> Result<usize, String> {
        if declared > self.left() as u64 {
            return Err(format!("{declared} elements declared, {} bytes left", self.left()));
        }
        Ok(declared as usize)
    }

    /// A value of compact type `ty`; `schema` describes it when it is a known struct or list.
    fn value(&mut self, ty: u8, schema: Option<Wire>, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("structures nested deeper than {MAX_DEPTH}"));
        }
        match ty {
            1 | 2 => Ok(()),                    // bool inside a field header
            3 => self.skip(1),                  // byte
            4..=6 => self.varint().map(|_| ()), // i16, i32, i64
            7 => self.skip(8),                  // double
            8 => {
                let k = self.varint()?;
                let k = usize::try_from(k).map_err(|_| "a binary length beyond memory".to_string())?;
                self.skip(k)
            }
            9 | 10 => {
                let h = self.byte()?;
                let size = if h >> 4 == 15 { self.varint()? } else { u64::from(h >> 4) };
                let (size, elem) = (self.count(size)?, h & 0x0f);
                let inner = match schema {
                    Some(Wire::List(w)) => Some(*w),
                    _ => None,
                };
                if let Some(w) = inner {
                    if size > 0 && !w.accepts(elem) && !(matches!(w, Wire::Bool) && elem <= 2) {
                        return Err(format!("a list of type {elem} where the footer's schema has another"));
                    }
                }
                // The Parquet reader skips a bool list element without reading a byte (the compact
                // protocol gives it one): follow the reader, whose position is what matters here.
                if elem != 1 && elem != 2 {
                    for _ in 0..size {
                        self.value(elem, inner, depth + 1)?;
                    }
                }
                Ok(())
            }
            11 => {
                let size = self.varint()?;
                let size = self.count(size)?;
                if size == 0 {
                    return Ok(());
                }
                let kv = self.byte()?;
                for _ in 0..size {
                    self.value(kv >> 4, None, depth + 1)?;
                    self.value(kv & 0x0f, None, depth + 1)?;
                }
                Ok(())
            }
            12 => self.structure(
                match schema {
                    Some(Wire::Struct(fields)) => fields,
                    _ => &[],
                },
                depth + 1,
            ),
            other => Err(format!("unknown Thrift type {other}")),
        }
    }

    fn structure(&mut self, fields: &'static [(i16, Wire)], depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("structures nested deeper than {MAX_DEPTH}"));
        }
        let mut id: i16 = 0;
        loop {
            let h = self.byte()?;
            if h == 0 {
                return Ok(());
            }
            let (delta, ty) = (h >> 4, h & 0x0f);
            id = if delta == 0 {
                let z = self.varint()?;
                ((z >> 1) as i64 ^ -((z & 1) as i64)) as i16
            } else {
                id.wrapping_add(i16::from(delta))
            };
            let known = fields.iter().find(|(f, _)| *f == id).map(|(_, w)| *w);
            if let Some(w) = known {
                if !w.accepts(ty) {
                    return Err(format!("field {id} has Thrift type {ty}, not what the Parquet schema says"));
                }
            }
            self.value(ty, known, depth)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(footer: &[u8]) -> Vec<u8> {
        let mut b = b"PAR1".to_vec();
        b.extend_from_slice(footer);
        b.extend_from_slice(&(footer.len() as u32).to_le_bytes());
        b.extend_from_slice(b"PAR1");
        b
    }

    #[test]
    fn lengths_must_fit_in_the_file() {
        // struct { 1: i32 = 2, 3: i64 = 1 } then stop.
        assert!(check_footer(&framed(&[0x15, 0x04, 0x26, 0x02, 0x00])).is_ok());
        // Field 4 (row groups) must be a list; the reader would read one whatever the bytes say.
        let err = check_footer(&framed(&[0x45, 0x04, 0x00])).unwrap_err();
        assert!(err.contains("field 4 has Thrift type 5"), "{err}");
        // A list that claims 2^31 elements.
        let err = check_footer(&framed(&[0x49, 0xFC, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00])).unwrap_err();
        assert!(err.contains("elements declared"), "{err}");
        assert!(check_footer(b"PAR1\x00PAR1").is_err());
        assert!(check_footer(&framed(&[0x18, 0xFF, 0xFF, 0x03])).is_err(), "a binary longer than the file");
        // Unknown field 15, a struct, nested 100 deep.
        let deep: Vec<u8> = std::iter::repeat_n(0xFC, 100).collect();
        assert!(check_footer(&framed(&deep)).unwrap_err().contains("deeper"));
        // Field 7 (column orders) is read as a list whatever the bytes say (a fuzzed 42 GB abort).
        let err =
            check_footer(&framed(&[0x77, 0x19, 0x19, 0x19, 0x19, 0x19, 0x19, 0x19, 0x19, 0x00])).unwrap_err();
        assert!(err.contains("field 7 has Thrift type 7"), "{err}");
        // A column order list of one TypeDefinedOrder is fine; so is a logical type INTEGER(8, signed).
        assert!(check_footer(&framed(&[0x79, 0x1C, 0x1C, 0x00, 0x00, 0x00])).is_ok());
        let schema = [0x29, 0x1C, 0x48, 0x01, b'x', 0x6C, 0xAC, 0x13, 0x08, 0x11, 0x00, 0x00, 0x00, 0x00];
        assert!(check_footer(&framed(&schema)).is_ok(), "{:?}", check_footer(&framed(&schema)));
    }
}
