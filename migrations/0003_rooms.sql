-- Rooms: buildings, rooms and bookings. Two confirmed bookings of one room never
-- overlap: a booking transaction first bumps its room's lock_version, which takes the
-- room row's lock on PostgreSQL and the write lock on SQLite, so concurrent requests on
-- any number of instances check for overlaps one at a time.

CREATE TABLE buildings (
    id {{id}},
    institution_id BIGINT NOT NULL REFERENCES institutions (id) ON DELETE CASCADE,
    name_en TEXT NOT NULL CHECK (length(name_en) > 0),
    name_zh TEXT,
    time_zone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    created_at TEXT NOT NULL
);

CREATE TABLE rooms (
    id {{id}},
    building_id BIGINT NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) > 0),
    capacity BIGINT NOT NULL CHECK (capacity > 0),
    equipment TEXT NOT NULL DEFAULT '',
    needs_approval BIGINT NOT NULL DEFAULT 0 CHECK (needs_approval IN (0, 1)),
    lock_version BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX rooms_building_name_key ON rooms (building_id, name);

CREATE TABLE bookings (
    id {{id}},
    room_id BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(title) > 0),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled')),
    attendees BIGINT,
    booked_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX bookings_room_time ON bookings (room_id, starts_at);
