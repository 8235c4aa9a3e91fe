<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi" sourcelanguage="en">
<context>
    <name>AuditEventModel</name>
    <message>
        <source>Time</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Sự kiện</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Kết quả</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Người dùng</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Văn bản</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>Số TT</translation>
    </message>
</context>
<context>
    <name>AuditWindow</name>
    <message>
        <source>kyso — audit log</source>
        <translation>kyso — nhật ký kiểm toán</translation>
    </message>
    <message>
        <source>&amp;Search documents:</source>
        <translation>&amp;Tìm văn bản:</translation>
    </message>
    <message>
        <source>part of a document&apos;s name, with or without diacritics</source>
        <translation>một phần tên văn bản, gõ có dấu hoặc không dấu</translation>
    </message>
    <message>
        <source>Search document names</source>
        <translation>Tìm theo tên văn bản</translation>
    </message>
    <message>
        <source>&amp;From</source>
        <translation>Từ ngà&amp;y</translation>
    </message>
    <message>
        <source>T&amp;o</source>
        <translation>Đế&amp;n ngày</translation>
    </message>
    <message>
        <source>From date</source>
        <translation>Từ ngày</translation>
    </message>
    <message>
        <source>To date</source>
        <translation>Đến ngày</translation>
    </message>
    <message>
        <source>&amp;Event:</source>
        <translation>&amp;Sự kiện:</translation>
    </message>
    <message>
        <source>&amp;Result:</source>
        <translation>&amp;Kết quả:</translation>
    </message>
    <message>
        <source>&amp;Mode:</source>
        <translation>C&amp;hế độ:</translation>
    </message>
    <message>
        <source>&amp;User:</source>
        <translation>Người &amp;dùng:</translation>
    </message>
    <message>
        <source>name or computer account</source>
        <translation>họ tên hoặc tài khoản máy</translation>
    </message>
    <message>
        <source>Audit events</source>
        <translation>Các sự kiện trong nhật ký</translation>
    </message>
    <message>
        <source>Event details</source>
        <translation>Chi tiết sự kiện</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Làm &amp;mới</translation>
    </message>
    <message>
        <source>Read the log again (F5)</source>
        <translation>Đọc lại nhật ký (F5)</translation>
    </message>
    <message>
        <source>&amp;Verify integrity</source>
        <translation>Kiểm tra tính toàn &amp;vẹn</translation>
    </message>
    <message>
        <source>Check the whole hash chain: any edited, deleted, inserted or reordered event is found</source>
        <translation>Kiểm tra toàn bộ chuỗi mã băm: phát hiện mọi sự kiện bị sửa, bị xoá, bị chèn thêm hoặc bị đổi chỗ</translation>
    </message>
    <message>
        <source>E&amp;xport…</source>
        <translation>&amp;Xuất…</translation>
    </message>
    <message>
        <source>Export the events shown to CSV, Excel, JSON Lines or PDF (Ctrl+E)</source>
        <translation>Xuất các sự kiện đang hiển thị ra CSV, Excel, JSON Lines hoặc PDF (Ctrl+E)</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>Đón&amp;g</translation>
    </message>
    <message>
        <source>Showing the events of every user of this computer (administrator).</source>
        <translation>Đang hiển thị sự kiện của mọi người dùng trên máy này (quản trị viên).</translation>
    </message>
    <message>
        <source>Showing your own events (%1). An administrator sees every user&apos;s.</source>
        <translation>Đang hiển thị sự kiện của chính bạn (%1). Quản trị viên xem được sự kiện của mọi người dùng.</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>Mọi sự kiện</translation>
    </message>
    <message>
        <source>Signing (every outcome)</source>
        <translation>Ký số (mọi kết quả)</translation>
    </message>
    <message>
        <source>Any result</source>
        <translation>Mọi kết quả</translation>
    </message>
    <message>
        <source>Work and practice</source>
        <translation>Làm việc và luyện tập</translation>
    </message>
    <message>
        <source>Reading the log…</source>
        <translation>Đang đọc nhật ký…</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s)</source>
        <translation>
            <numerusform>%n sự kiện</numerusform>
        </translation>
    </message>
    <message>
        <source>Event: %1 (%2)</source>
        <translation>Sự kiện: %1 (%2)</translation>
    </message>
    <message>
        <source>No.: %1 in the %2 chain</source>
        <translation>Số TT: %1 trong chuỗi %2</translation>
    </message>
    <message>
        <source>Time: %1 (UTC %2)</source>
        <translation>Thời gian: %1 (UTC %2)</translation>
    </message>
    <message>
        <source>User: %1 (computer account %2)</source>
        <translation>Người dùng: %1 (tài khoản máy %2)</translation>
    </message>
    <message>
        <source>Workstation: %1, kyso %2</source>
        <translation>Máy trạm: %1, kyso %2</translation>
    </message>
    <message>
        <source>Hash: %1</source>
        <translation>Mã băm: %1</translation>
    </message>
    <message>
        <source>Previous hash: %1</source>
        <translation>Mã băm sự kiện trước: %1</translation>
    </message>
    <message>
        <source>Details:</source>
        <translation>Chi tiết:</translation>
    </message>
    <message>
        <source>Verifying the audit log</source>
        <translation>Đang kiểm tra nhật ký kiểm toán</translation>
    </message>
    <message>
        <source>Audit log verification</source>
        <translation>Kiểm tra nhật ký kiểm toán</translation>
    </message>
    <message>
        <source>Exporting the audit log</source>
        <translation>Đang xuất nhật ký kiểm toán</translation>
    </message>
    <message>
        <source>Audit log exported</source>
        <translation>Đã xuất nhật ký kiểm toán</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Mở thư mục</translation>
    </message>
</context>
<context>
    <name>BatchConfirmDialog</name>
    <message>
        <source>Sign these documents?</source>
        <translation>Ký các văn bản này?</translation>
    </message>
    <message numerus="yes">
        <source>%n document(s), %1, level %2</source>
        <translation>
            <numerusform>%n văn bản, %1, mức %2</numerusform>
        </translation>
    </message>
    <message>
        <source>Signed with the certificate of %1.</source>
        <translation>Ký bằng chứng thư số của %1.</translation>
    </message>
    <message>
        <source>Documents to sign</source>
        <translation>Văn bản sẽ ký</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>Ký</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Huỷ</translation>
    </message>
</context>
<context>
    <name>CancellableProgress</name>
    <message>
        <source>Preparing…</source>
        <translation>Đang chuẩn bị…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Huỷ</translation>
    </message>
</context>
<context>
    <name>CertificateChoiceDialog</name>
    <message>
        <source>Choose the certificate to sign with</source>
        <translation>Chọn chứng thư số để ký</translation>
    </message>
    <message>
        <source>Several certificates can sign. Which one is yours for these documents?</source>
        <translation>Có nhiều chứng thư số có thể ký. Chứng thư nào là của bạn cho các văn bản này?</translation>
    </message>
    <message>
        <source>Certificates</source>
        <translation>Chứng thư số</translation>
    </message>
    <message>
        <source>%1 — issued by %2, valid until %3 (token %4)</source>
        <translation>%1 — do %2 cấp, hiệu lực đến %3 (thiết bị %4)</translation>
    </message>
    <message>
        <source>Use this certificate</source>
        <translation>Dùng chứng thư này</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Huỷ</translation>
    </message>
</context>
<context>
    <name>DetailsPanel</name>
    <message>
        <source>Document details</source>
        <translation>Chi tiết văn bản</translation>
    </message>
    <message>
        <source>Open documents to check and sign them: Ctrl+O, or drop PDF files here.</source>
        <translation>Mở văn bản để kiểm tra và ký: Ctrl+O, hoặc kéo thả tệp PDF vào đây.</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Signed file</source>
        <translation>Tệp đã ký</translation>
    </message>
    <message>
        <source>not recognised</source>
        <translation>chưa nhận ra</translation>
    </message>
    <message>
        <source>Document type</source>
        <translation>Loại văn bản</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>Số, ký hiệu</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>Số trang</translation>
    </message>
    <message>
        <source>Catalogue</source>
        <translation>Danh mục</translation>
    </message>
    <message>
        <source>The catalogue finds nothing to object to.</source>
        <translation>Danh mục không có gì phải lưu ý.</translation>
    </message>
    <message>
        <source>What the catalogue says</source>
        <translation>Kết quả kiểm tra theo danh mục</translation>
    </message>
    <message>
        <source>Signature</source>
        <translation>Chữ ký</translation>
    </message>
    <message>
        <source>Who signs</source>
        <translation>Người ký</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Mức</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Vị trí</translation>
    </message>
    <message>
        <source>Next signature (step %1)</source>
        <translation>Chữ ký tiếp theo (bước %1)</translation>
    </message>
    <message>
        <source>Signatures in the signed file</source>
        <translation>Chữ ký trong tệp đã ký</translation>
    </message>
    <message>
        <source>checking the signature…</source>
        <translation>đang kiểm tra chữ ký…</translation>
    </message>
    <message>
        <source>Signatures already there</source>
        <translation>Chữ ký đã có</translation>
    </message>
    <message>
        <source>None.</source>
        <translation>Chưa có.</translation>
    </message>
    <message>
        <source>signature</source>
        <translation>chữ ký</translation>
    </message>
    <message>
        <source>unknown signer</source>
        <translation>không rõ người ký</translation>
    </message>
</context>
<context>
    <name>DocumentListModel</name>
    <message>
        <source>Checking…</source>
        <translation>Đang kiểm tra…</translation>
    </message>
    <message>
        <source>Ready to sign</source>
        <translation>Sẵn sàng ký</translation>
    </message>
    <message>
        <source>Needs confirmation</source>
        <translation>Cần xác nhận</translation>
    </message>
    <message>
        <source>Cannot be signed</source>
        <translation>Không được ký</translation>
    </message>
    <message>
        <source>Cannot be read</source>
        <translation>Không đọc được</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>Đã ký</translation>
    </message>
    <message>
        <source>Not signed</source>
        <translation>Chưa ký được</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Văn bản</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Loại</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Signatures</source>
        <translation>Chữ ký</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Kết quả</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export the audit log</source>
        <translation>Xuất nhật ký kiểm toán</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) shown by the current filters will be exported.</source>
        <translation>
            <numerusform>Sẽ xuất %n sự kiện theo bộ lọc hiện tại.</numerusform>
        </translation>
    </message>
    <message>
        <source>The events shown by the current filters will be exported.</source>
        <translation>Sẽ xuất các sự kiện theo bộ lọc hiện tại.</translation>
    </message>
    <message>
        <source>CSV for Excel (UTF-8)</source>
        <translation>CSV cho Excel (UTF-8)</translation>
    </message>
    <message>
        <source>Excel workbook (XLSX)</source>
        <translation>Bảng tính Excel (XLSX)</translation>
    </message>
    <message>
        <source>JSON Lines with hashes (re-verifiable)</source>
        <translation>JSON Lines kèm mã băm (kiểm tra lại được)</translation>
    </message>
    <message>
        <source>Printable report (PDF)</source>
        <translation>Báo cáo để in (PDF)</translation>
    </message>
    <message>
        <source>&amp;Format:</source>
        <translation>Định &amp;dạng:</translation>
    </message>
    <message>
        <source>Export file</source>
        <translation>Tệp xuất</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Chọn…</translation>
    </message>
    <message>
        <source>&amp;File:</source>
        <translation>&amp;Tệp:</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Xuất</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Huỷ</translation>
    </message>
    <message>
        <source>Export to</source>
        <translation>Xuất ra</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>kyso — Digital signing of documents</source>
        <translation>kyso — Ký số văn bản</translation>
    </message>
    <message>
        <source>&amp;Open documents…</source>
        <translation>&amp;Mở văn bản…</translation>
    </message>
    <message>
        <source>Open PDF documents (Ctrl+O)</source>
        <translation>Mở văn bản PDF (Ctrl+O)</translation>
    </message>
    <message>
        <source>Open a &amp;folder…</source>
        <translation>Mở &amp;thư mục…</translation>
    </message>
    <message>
        <source>Open every PDF in a folder (Ctrl+Shift+O)</source>
        <translation>Mở mọi tệp PDF trong một thư mục (Ctrl+Shift+O)</translation>
    </message>
    <message>
        <source>&amp;Remove from the list</source>
        <translation>&amp;Bỏ khỏi danh sách</translation>
    </message>
    <message>
        <source>Remove the selected documents from the list (Delete)</source>
        <translation>Bỏ các văn bản đang chọn khỏi danh sách (Delete)</translation>
    </message>
    <message>
        <source>Choose the document &amp;type…</source>
        <translation>Chọn &amp;loại văn bản…</translation>
    </message>
    <message>
        <source>Say which type of document this is, when kyso cannot tell (Ctrl+T)</source>
        <translation>Cho biết đây là loại văn bản nào khi kyso không nhận ra (Ctrl+T)</translation>
    </message>
    <message>
        <source>Allow signing &amp;despite a block…</source>
        <translation>Cho phép ký &amp;dù bị chặn…</translation>
    </message>
    <message>
        <source>Lift a block the catalogue allows you to lift, taking responsibility</source>
        <translation>Bỏ qua điểm chặn mà danh mục cho phép bỏ qua; bạn chịu trách nhiệm</translation>
    </message>
    <message>
        <source>&amp;Sign selected</source>
        <translation>&amp;Ký văn bản đang chọn</translation>
    </message>
    <message>
        <source>Sign the selected documents (Ctrl+S)</source>
        <translation>Ký các văn bản đang chọn (Ctrl+S)</translation>
    </message>
    <message>
        <source>Sign &amp;all</source>
        <translation>Ký &amp;tất cả</translation>
    </message>
    <message>
        <source>Sign every document that can be signed (Ctrl+Shift+S)</source>
        <translation>Ký mọi văn bản được phép ký (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <source>S&amp;ettings…</source>
        <translation>&amp;Cài đặt…</translation>
    </message>
    <message>
        <source>Your name, position, signature images, output folder…</source>
        <translation>Họ tên, chức danh, ảnh chữ ký, thư mục lưu…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>T&amp;hoát</translation>
    </message>
    <message>
        <source>Close kyso</source>
        <translation>Đóng kyso</translation>
    </message>
    <message>
        <source>Audit &amp;log…</source>
        <translation>Nhật &amp;ký kiểm toán…</translation>
    </message>
    <message>
        <source>What was done on this computer: view, verify, export (Ctrl+L)</source>
        <translation>Những gì đã làm trên máy này: xem, kiểm tra, xuất (Ctrl+L)</translation>
    </message>
    <message>
        <source>Send the log &amp;now</source>
        <translation>&amp;Gửi nhật ký ngay</translation>
    </message>
    <message>
        <source>Send the audit log to the unit&apos;s server now</source>
        <translation>Gửi ngay nhật ký kiểm toán lên máy chủ của đơn vị</translation>
    </message>
    <message>
        <source>Zoom &amp;in</source>
        <translation>&amp;Phóng to</translation>
    </message>
    <message>
        <source>Zoom in (Ctrl++)</source>
        <translation>Phóng to (Ctrl++)</translation>
    </message>
    <message>
        <source>Zoom &amp;out</source>
        <translation>&amp;Thu nhỏ</translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+−)</source>
        <translation>Thu nhỏ (Ctrl+−)</translation>
    </message>
    <message>
        <source>&amp;Fit width</source>
        <translation>&amp;Vừa chiều rộng</translation>
    </message>
    <message>
        <source>Fit the page to the window&apos;s width (Ctrl+0)</source>
        <translation>Hiện trang vừa chiều rộng cửa sổ (Ctrl+0)</translation>
    </message>
    <message>
        <source>&amp;Next page</source>
        <translation>Trang &amp;sau</translation>
    </message>
    <message>
        <source>Next page (Page Down)</source>
        <translation>Trang sau (Page Down)</translation>
    </message>
    <message>
        <source>&amp;Previous page</source>
        <translation>Trang t&amp;rước</translation>
    </message>
    <message>
        <source>Previous page (Page Up)</source>
        <translation>Trang trước (Page Up)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hướng dẫn</translation>
    </message>
    <message>
        <source>How to use kyso (F1)</source>
        <translation>Cách dùng kyso (F1)</translation>
    </message>
    <message>
        <source>&amp;About kyso</source>
        <translation>&amp;Giới thiệu kyso</translation>
    </message>
    <message>
        <source>Version and data folder</source>
        <translation>Phiên bản và thư mục dữ liệu</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Tệp</translation>
    </message>
    <message>
        <source>&amp;Recent documents</source>
        <translation>Văn bản &amp;gần đây</translation>
    </message>
    <message>
        <source>&amp;Sign</source>
        <translation>&amp;Ký số</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Xem</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Công cụ</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Ngôn ngữ</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>Thanh công cụ chính</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>Văn bản</translation>
    </message>
    <message>
        <source>Audit log problem</source>
        <translation>Nhật ký kiểm toán có sự cố</translation>
    </message>
    <message>
        <source>Open documents</source>
        <translation>Mở văn bản</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>Văn bản PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Open a folder</source>
        <translation>Mở thư mục</translation>
    </message>
    <message numerus="yes">
        <source>Checking %n document(s)…</source>
        <translation>
            <numerusform>Đang kiểm tra %n văn bản…</numerusform>
        </translation>
    </message>
    <message>
        <source>kyso — help</source>
        <translation>kyso — hướng dẫn</translation>
    </message>
    <message>
        <source>1. Open documents (Ctrl+O) or drop PDF files on the window.
2. Each document is checked against your unit&apos;s catalogue of signable documents; its status and the reasons are shown in the list and in the details panel.
3. The box on the page shows where your signature will go: drag it to move it, drag its lower right corner to resize it (arrow keys move it too).
4. Insert your token, then Sign selected (Ctrl+S) or Sign all (Ctrl+Shift+S).
Signed files are saved beside the originals as NAME.signed.pdf, or in the folder chosen in Settings; the originals are never changed.</source>
        <translation>1. Mở văn bản (Ctrl+O) hoặc kéo thả tệp PDF vào cửa sổ.
2. Mỗi văn bản được kiểm tra theo danh mục các loại văn bản ký số của đơn vị; trạng thái và lý do hiện trong danh sách và ở khung chi tiết.
3. Khung trên trang cho biết chữ ký sẽ đặt ở đâu: kéo khung để di chuyển, kéo góc dưới bên phải để đổi kích thước (phím mũi tên cũng di chuyển được).
4. Cắm thiết bị ký số, rồi chọn Ký văn bản đang chọn (Ctrl+S) hoặc Ký tất cả (Ctrl+Shift+S).
Tệp đã ký được lưu cạnh tệp gốc với tên TÊN.signed.pdf, hoặc vào thư mục chọn trong Cài đặt; tệp gốc không bao giờ bị sửa.</translation>
    </message>
    <message>
        <source>About kyso</source>
        <translation>Giới thiệu kyso</translation>
    </message>
    <message>
        <source>kyso %1 — digital signing of documents for the People&apos;s Procuracy.
Data folder: %2</source>
        <translation>kyso %1 — ký số văn bản cho Viện kiểm sát nhân dân.
Thư mục dữ liệu: %2</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(chưa có)</translation>
    </message>
</context>
<context>
    <name>OverrideDialog</name>
    <message>
        <source>Sign despite a block?</source>
        <translation>Ký dù bị chặn?</translation>
    </message>
    <message>
        <source>%1 cannot be signed as it is:</source>
        <translation>%1 chưa được ký vì:</translation>
    </message>
    <message>
        <source>I have checked this document and take responsibility for signing it</source>
        <translation>Tôi đã kiểm tra văn bản này và chịu trách nhiệm khi ký</translation>
    </message>
    <message>
        <source>Allow signing</source>
        <translation>Cho phép ký</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Huỷ</translation>
    </message>
</context>
<context>
    <name>PdfPreview</name>
    <message>
        <source>◀</source>
        <translation>◀</translation>
    </message>
    <message>
        <source>Previous page (Page Up)</source>
        <translation>Trang trước (Page Up)</translation>
    </message>
    <message>
        <source>▶</source>
        <translation>▶</translation>
    </message>
    <message>
        <source>Next page (Page Down)</source>
        <translation>Trang sau (Page Down)</translation>
    </message>
    <message>
        <source>−</source>
        <translation>−</translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+−)</source>
        <translation>Thu nhỏ (Ctrl+−)</translation>
    </message>
    <message>
        <source>+</source>
        <translation>+</translation>
    </message>
    <message>
        <source>Zoom in (Ctrl++)</source>
        <translation>Phóng to (Ctrl++)</translation>
    </message>
    <message>
        <source>Fit width</source>
        <translation>Vừa chiều rộng</translation>
    </message>
    <message>
        <source>Fit the page to the window&apos;s width (Ctrl+0)</source>
        <translation>Hiện trang vừa chiều rộng cửa sổ (Ctrl+0)</translation>
    </message>
    <message>
        <source>Page number</source>
        <translation>Số trang</translation>
    </message>
    <message>
        <source>Page thumbnails</source>
        <translation>Ảnh thu nhỏ các trang</translation>
    </message>
    <message>
        <source>Document page</source>
        <translation>Trang văn bản</translation>
    </message>
    <message>
        <source>This document is protected by a password: it cannot be previewed or signed.</source>
        <translation>Văn bản này được đặt mật khẩu: không xem trước và không ký được.</translation>
    </message>
    <message>
        <source>This file cannot be shown: it is not a readable PDF.</source>
        <translation>Không hiển thị được tệp này: đây không phải tệp PDF đọc được.</translation>
    </message>
    <message>
        <source>of %1</source>
        <translation>/ %1</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>PIN of the signing token</source>
        <translation>Mã PIN của thiết bị ký số</translation>
    </message>
    <message>
        <source>Token %1 (serial %2).</source>
        <translation>Thiết bị %1 (sê-ri %2).</translation>
    </message>
    <message>
        <source>To sign %1.</source>
        <translation>Để ký %1.</translation>
    </message>
    <message>
        <source>Enter the PIN on the reader&apos;s own keypad, then wait.</source>
        <translation>Hãy nhập mã PIN trên bàn phím của đầu đọc rồi chờ.</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>Mã PIN</translation>
    </message>
    <message>
        <source>I understand: one more wrong PIN locks the token</source>
        <translation>Tôi hiểu: nhập sai thêm một lần nữa thiết bị sẽ bị khoá</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Tiếp tục</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>Ký</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Huỷ</translation>
    </message>
    <message>
        <source>A wrong PIN has been entered at least once on this token. Check it carefully.</source>
        <translation>Mã PIN của thiết bị này đã bị nhập sai ít nhất một lần. Hãy kiểm tra kỹ.</translation>
    </message>
    <message>
        <source>Last try: if this PIN is wrong, the token will be locked.</source>
        <translation>Lần thử cuối: nếu mã PIN này sai, thiết bị sẽ bị khoá.</translation>
    </message>
</context>
<context>
    <name>ResultDialog</name>
    <message>
        <source>Signing results</source>
        <translation>Kết quả ký</translation>
    </message>
    <message>
        <source>%1 of %2 documents signed.</source>
        <translation>Đã ký %1 trên %2 văn bản.</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Văn bản</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Kết quả</translation>
    </message>
    <message>
        <source>✓ signed: %1</source>
        <translation>✓ đã ký: %1</translation>
    </message>
    <message>
        <source>Open file</source>
        <translation>Mở tệp</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Mở thư mục</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Người dùng</translation>
    </message>
    <message>
        <source>Signature images</source>
        <translation>Ảnh chữ ký</translation>
    </message>
    <message>
        <source>Signing</source>
        <translation>Ký số</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Thiết bị</translation>
    </message>
    <message>
        <source>&amp;Full name</source>
        <translation>&amp;Họ và tên</translation>
    </message>
    <message>
        <source>&amp;Position</source>
        <translation>&amp;Chức danh</translation>
    </message>
    <message>
        <source>&amp;Unit</source>
        <translation>Đơn &amp;vị</translation>
    </message>
    <message>
        <source>&amp;Organisation (on copies)</source>
        <translation>Tên &amp;cơ quan (trên bản sao)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Ngôn ngữ</translation>
    </message>
    <message>
        <source>&amp;Handwritten signature (PNG)</source>
        <translation>Ảnh chữ ký &amp;tay (PNG)</translation>
    </message>
    <message>
        <source>&amp;Seal (PNG)</source>
        <translation>Ảnh con &amp;dấu (PNG)</translation>
    </message>
    <message>
        <source>Save signed files &amp;in</source>
        <translation>&amp;Lưu tệp đã ký vào</translation>
    </message>
    <message>
        <source>Default &amp;level</source>
        <translation>&amp;Mức ký mặc định</translation>
    </message>
    <message>
        <source>Signed file &amp;name: NAME + …</source>
        <translation>&amp;Tên tệp đã ký: TÊN + …</translation>
    </message>
    <message>
        <source>&amp;Timestamp authority (URL)</source>
        <translation>Máy chủ &amp;dấu thời gian (URL)</translation>
    </message>
    <message>
        <source>Token &amp;modules (one path per line)</source>
        <translation>Thư viện &amp;PKCS#11 của thiết bị (mỗi dòng một đường dẫn)</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Chọn…</translation>
    </message>
    <message>
        <source>beside each document</source>
        <translation>cạnh từng văn bản</translation>
    </message>
    <message>
        <source>quyet-dinh.pdf is signed as quyet-dinh%1.pdf</source>
        <translation>quyet-dinh.pdf khi ký xong thành quyet-dinh%1.pdf</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Huỷ</translation>
    </message>
    <message>
        <source>Locked by %1 (policy from the audit server)</source>
        <translation>Đã bị %1 khoá (chính sách từ máy chủ kiểm toán)</translation>
    </message>
    <message>
        <source>Locked by %1</source>
        <translation>Đã bị %1 khoá</translation>
    </message>
    <message>
        <source>Choose a PNG image</source>
        <translation>Chọn ảnh PNG</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>Ảnh PNG (*.png)</translation>
    </message>
    <message>
        <source>Save signed files in</source>
        <translation>Lưu tệp đã ký vào</translation>
    </message>
</context>
<context>
    <name>SigningFlow</name>
    <message>
        <source>kyso is still loading the catalogue; try again in a moment.</source>
        <translation>kyso đang nạp danh mục văn bản ký số; hãy thử lại sau giây lát.</translation>
    </message>
    <message>
        <source>These documents changed after they were checked; they are checked again and not signed now:
%1</source>
        <translation>Các văn bản này đã thay đổi sau khi được kiểm tra; kyso kiểm tra lại và chưa ký lần này:
%1</translation>
    </message>
    <message>
        <source>None of these documents can be signed now; the list shows why.</source>
        <translation>Chưa văn bản nào trong số này được ký lúc này; danh sách cho biết lý do.</translation>
    </message>
    <message>
        <source>kyso</source>
        <translation>kyso</translation>
    </message>
</context>
<context>
    <name>SigningProgressDialog</name>
    <message>
        <source>Signing %1 (%2 of %3)…</source>
        <translation>Đang ký %1 (%2 / %3)…</translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message>
        <source>Audit log sync</source>
        <translation>Đồng bộ nhật ký</translation>
    </message>
    <message>
        <source>Log kept on this computer</source>
        <translation>Nhật ký lưu trên máy này</translation>
    </message>
    <message>
        <source>Sending the log…</source>
        <translation>Đang gửi nhật ký…</translation>
    </message>
    <message numerus="yes">
        <source>Log not sent: %n event(s) waiting</source>
        <translation>
            <numerusform>Chưa gửi được nhật ký: %n sự kiện đang chờ</numerusform>
        </translation>
    </message>
    <message>
        <source>Sync stopped</source>
        <translation>Đã dừng đồng bộ</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) waiting to be sent</source>
        <translation>
            <numerusform>%n sự kiện chờ gửi</numerusform>
        </translation>
    </message>
    <message>
        <source>Log sent to the server</source>
        <translation>Đã gửi nhật ký lên máy chủ</translation>
    </message>
    <message>
        <source>This computer is not enrolled with the unit&apos;s audit server: the audit log is kept here only. An administrator enrols it with: kyso enroll ADDRESS CODE</source>
        <translation>Máy này chưa đăng ký với máy chủ nhật ký của đơn vị: nhật ký kiểm toán chỉ được lưu trên máy. Quản trị viên đăng ký bằng lệnh: kyso enroll ĐỊA-CHỈ MÃ</translation>
    </message>
    <message>
        <source>Server: %1</source>
        <translation>Máy chủ: %1</translation>
    </message>
    <message>
        <source>Last successful sync: %1</source>
        <translation>Đồng bộ thành công gần nhất: %1</translation>
    </message>
    <message>
        <source>never</source>
        <translation>chưa lần nào</translation>
    </message>
    <message>
        <source>Events waiting: %1</source>
        <translation>Sự kiện chờ gửi: %1</translation>
    </message>
    <message>
        <source>Last error: %1</source>
        <translation>Lỗi gần nhất: %1</translation>
    </message>
    <message>
        <source>Next try: %1</source>
        <translation>Lần thử tiếp theo: %1</translation>
    </message>
    <message>
        <source>Click to sync now.</source>
        <translation>Bấm để đồng bộ ngay.</translation>
    </message>
</context>
<context>
    <name>TokenStatusWidget</name>
    <message>
        <source>Looking for signing tokens…</source>
        <translation>Đang tìm thiết bị ký số…</translation>
    </message>
    <message>
        <source>Token status</source>
        <translation>Tình trạng thiết bị ký số</translation>
    </message>
    <message>
        <source>No token driver</source>
        <translation>Chưa có trình điều khiển thiết bị</translation>
    </message>
    <message>
        <source>No token inserted</source>
        <translation>Chưa cắm thiết bị ký số</translation>
    </message>
    <message>
        <source>Insert your signing token (USB).</source>
        <translation>Hãy cắm thiết bị ký số (USB token).</translation>
    </message>
    <message>
        <source>The token cannot be read.</source>
        <translation>Không đọc được thiết bị ký số.</translation>
    </message>
    <message>
        <source>Token cannot be read</source>
        <translation>Không đọc được thiết bị</translation>
    </message>
    <message>
        <source>Token %1 is locked</source>
        <translation>Thiết bị %1 đã bị khoá</translation>
    </message>
    <message>
        <source>certificate expired</source>
        <translation>chứng thư số đã hết hạn</translation>
    </message>
    <message numerus="yes">
        <source>certificate expires in %n day(s)</source>
        <translation>
            <numerusform>chứng thư số hết hạn sau %n ngày</numerusform>
        </translation>
    </message>
    <message>
        <source>Token: %1 (serial %2)</source>
        <translation>Thiết bị: %1 (sê-ri %2)</translation>
    </message>
    <message>
        <source>Issued by: %1</source>
        <translation>Tổ chức cấp: %1</translation>
    </message>
    <message>
        <source>Certificate holder: %1</source>
        <translation>Người được cấp: %1</translation>
    </message>
    <message>
        <source>Valid until: %1</source>
        <translation>Hiệu lực đến: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) inserted</source>
        <translation>
            <numerusform>Đang cắm %n thiết bị</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TypeChoiceDialog</name>
    <message>
        <source>Document type</source>
        <translation>Loại văn bản</translation>
    </message>
    <message>
        <source>Which type of document is this? The catalogue&apos;s rules for that type apply.</source>
        <translation>Đây là loại văn bản nào? Quy định của danh mục cho loại đó sẽ được áp dụng.</translation>
    </message>
    <message>
        <source>Use this type</source>
        <translation>Dùng loại này</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Huỷ</translation>
    </message>
</context>
<context>
    <name>WarningsDialog</name>
    <message>
        <source>Read these warnings. Sign anyway?</source>
        <translation>Hãy đọc các cảnh báo sau. Vẫn ký?</translation>
    </message>
    <message>
        <source>Sign anyway</source>
        <translation>Vẫn ký</translation>
    </message>
    <message>
        <source>Do not sign</source>
        <translation>Không ký</translation>
    </message>
    <message>
        <source>Warnings about the certificate</source>
        <translation>Cảnh báo về chứng thư số</translation>
    </message>
    <message>
        <source>Warnings about the documents</source>
        <translation>Cảnh báo về văn bản</translation>
    </message>
</context>
<context>
    <name>WorkProgress</name>
    <message>
        <source>%1 of %2 events</source>
        <translation>%1 / %2 sự kiện</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Đang dừng…</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <source>kyso — something went wrong</source>
        <translation>kyso — có lỗi</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>Sao chép chi tiết</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Error message</source>
        <translation>Thông báo lỗi</translation>
    </message>
</context>
</TS>
