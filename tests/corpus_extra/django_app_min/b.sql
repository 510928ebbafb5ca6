CREATE TABLE t (status varchar(2) NOT NULL CHECK (status IN ('DF', 'PB')));
