// params: old, new
// returns: nothing; replaces the server's first-start password (run on the system database)
ALTER CURRENT USER SET PASSWORD FROM $old TO $new
