package io.coedit.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessCpuTest {

    @Test
    void statTimesAreCountedAfterTheCommandName() {
        String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 40 0 100 0";
        assertEquals(325, ProcessCpu.parseStatTicks(stat));
    }

    @Test
    void theListeningSocketOfAPortIsFound() {
        List<String> table = List.of(
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 111 1",
                "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1");
        assertEquals("222", ProcessCpu.listeningInode(table, 8080));
        assertNull(ProcessCpu.listeningInode(table, 8081));
    }
}
