// NMEA 0183 and GPS tracks.
