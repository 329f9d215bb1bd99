//! Several structs serialized as the fields of one. A page's template value puts its common
//! fields and its kind's fields side by side in one map (`page.title`, `page.stage`); built
//! part by part, each part became a map of its own, copied key by key into the first, and
//! the whole map was then copied once more into the template value. [`Fields`] instead hands
//! every part's fields straight to one struct serializer, so each key goes into the map once.
//! What serde's `flatten` would do, without its detour through a map of owned keys.

use serde::Serialize;
use serde::ser::{self, Impossible, SerializeStruct};

/// Serializes a struct's fields into `M`, the serializer of another struct. Anything that
/// is not a struct is an error: the parts of a page are all structs.
pub struct Fields<'m, M>(pub &'m mut M);

fn not_a_struct<E: ser::Error>() -> E {
    E::custom("only a struct's fields can join another struct")
}

impl<M: SerializeStruct> SerializeStruct for Fields<'_, M> {
    type Ok = ();
    type Error = M::Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), M::Error> {
        self.0.serialize_field(key, value)
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), M::Error> {
        self.0.skip_field(key)
    }

    fn end(self) -> Result<(), M::Error> {
        Ok(())
    }
}

/// Every method but `serialize_struct` refuses.
macro_rules! refuse {
    ($($name:ident($($arg:ty),*);)*) => {
        $(fn $name(self, $(_: $arg),*) -> Result<(), M::Error> {
            Err(not_a_struct())
        })*
    };
}

impl<'m, M: SerializeStruct> ser::Serializer for Fields<'m, M> {
    type Ok = ();
    type Error = M::Error;
    type SerializeSeq = Impossible<(), M::Error>;
    type SerializeTuple = Impossible<(), M::Error>;
    type SerializeTupleStruct = Impossible<(), M::Error>;
    type SerializeTupleVariant = Impossible<(), M::Error>;
    type SerializeMap = Impossible<(), M::Error>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), M::Error>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, M::Error> {
        Ok(self)
    }

    refuse! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_f32(f32);
        serialize_f64(f64);
        serialize_char(char);
        serialize_str(&str);
        serialize_bytes(&[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), M::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), M::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), M::Error> {
        Err(not_a_struct())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, M::Error> {
        Err(not_a_struct())
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, M::Error> {
        Err(not_a_struct())
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, M::Error> {
        Err(not_a_struct())
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, M::Error> {
        Err(not_a_struct())
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, M::Error> {
        Err(not_a_struct())
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, M::Error> {
        Err(not_a_struct())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tera::Value;

    #[derive(Serialize)]
    struct Common {
        title: &'static str,
        tags: Vec<&'static str>,
        extra: Option<u8>,
    }

    #[derive(Serialize)]
    struct Kind {
        stage: Option<&'static str>,
        /// Also in `Common`: the later part wins, as when maps are merged.
        tags: Vec<&'static str>,
        value: Value,
    }

    struct Both<'a>(&'a Common, Option<&'a Kind>);

    impl Serialize for Both<'_> {
        fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_struct("Both", 6)?;
            self.0.serialize(Fields(&mut m))?;
            if let Some(k) = self.1 {
                k.serialize(Fields(&mut m))?;
            }
            m.end()
        }
    }

    /// The way the parts were joined before: a map each, merged in order.
    fn merged(parts: &[Value]) -> Value {
        let mut map = tera::Map::new();
        for p in parts {
            map.extend(p.clone().into_map().unwrap_or_default());
        }
        Value::from(map)
    }

    #[test]
    fn one_pass_equals_merged_maps() {
        let common = Common {
            title: "Huadong",
            tags: vec!["a"],
            extra: None,
        };
        let kind = Kind {
            stage: Some("lead"),
            tags: vec!["b", "c"],
            value: Value::safe_string("<td>x</td>"),
        };
        let one = Value::from_serializable(&Both(&common, Some(&kind)));
        let two = merged(&[Value::from_serializable(&common), Value::from_serializable(&kind)]);
        assert_eq!(one, two);
        assert_eq!(one.as_map().map(|m| m.len()), Some(5));
        assert_eq!(
            Value::from_serializable(&Both(&common, None)),
            merged(&[Value::from_serializable(&common)])
        );
    }

    #[test]
    fn only_structs_join() {
        struct Bad;
        impl Serialize for Bad {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_struct("Bad", 1)?;
                3u8.serialize(Fields(&mut m))?;
                m.end()
            }
        }
        assert!(Value::try_from_serializable(&Bad).is_err());
    }
}
