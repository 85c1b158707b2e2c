CREATE TABLE readings (device_id STRING, temperature DOUBLE) WITH ('connector' = 'datagen');
CREATE TABLE sink (device_id STRING, temperature DOUBLE) WITH ('connector' = 'blackhole');
INSERT INTO sink SELECT device_id, humidity FROM readings;
