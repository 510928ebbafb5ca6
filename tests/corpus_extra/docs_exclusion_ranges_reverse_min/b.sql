CREATE TABLE r (during tsrange);
